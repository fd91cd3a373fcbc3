import { randomBytes, randomUUID } from 'node:crypto';
import { KeyRing } from '../../common/crypto/key-ring';
import { createVault, type PersonalData } from '../../common/crypto/vault';
import { rekeyPersonalData } from '../../scripts/pii/rekey';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Key rotation end to end: data written under the old key, the job interrupted half way and
 * raced by a concurrent write, then run to the end; afterwards an API holding only the new key
 * reads everything. The suite rotates the shared test database back to the old key at the end.
 */

const PROJECT = 'rekey';
const NEW_ID = 'k-2026';
const NEW_KEY = randomBytes(32).toString('base64');
let sys: System;
let oldRing: KeyRing;
let bothRing: KeyRing;
const people: { id: string; name: string }[] = [];
const draftIds: string[] = [];
const importId = randomUUID();

/** Every sealed value of the three stores, keyed by table and row, opened with `ring`. */
async function openAll(ring: KeyRing): Promise<Map<string, PersonalData>> {
  const open = (id: string, value: string) => JSON.parse(ring.openText(value, `beneficiary:${id}`)) as PersonalData;
  const out = new Map<string, PersonalData>();
  for (const r of await sys.prisma.beneficiaryPersonal.findMany()) out.set(`personal/${r.beneficiaryId}`, open(r.beneficiaryId, r.ciphertext));
  for (const r of await sys.prisma.beneficiaryDraft.findMany({ where: { personal: { not: null } } }))
    out.set(`draft/${r.beneficiaryId}`, open(r.beneficiaryId, r.personal!));
  for (const r of await sys.prisma.importRow.findMany({ where: { personal: { not: null } } }))
    out.set(`import/${r.importId}/${r.rowNumber}`, open(r.beneficiaryId!, r.personal!));
  return out;
}

const keyIds = async () =>
  (
    await sys.prisma.$queryRaw<{ key_id: string }[]>`
      SELECT split_part(ciphertext, ':', 1) AS key_id FROM beneficiary_personal
      UNION ALL SELECT split_part(personal, ':', 1) FROM beneficiary_drafts WHERE personal IS NOT NULL
      UNION ALL SELECT split_part(personal, ':', 1) FROM import_rows WHERE personal IS NOT NULL`
  ).map((r) => r.key_id);

beforeAll(async () => {
  sys = await startSystem();
  oldRing = KeyRing.fromSettings(sys.config.pii);
  bothRing = KeyRing.fromSettings({ encryptionKeys: { ...sys.config.pii.encryptionKeys, [NEW_ID]: NEW_KEY }, activeKeyId: NEW_ID });
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Rekey' })).status).toBe(201);
  for (let i = 1; i <= 5; i++) {
    const name = `Rekey Person ${i}`;
    const res = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId: `rekey-${i}`, name, phone: `+97798500000${i}` });
    await eventually(async () => (await call(sys.api.url, 'GET', res.body.links.self)).body.status, (s) => s === 'ACTIVE', 60_000);
    people.push({ id: res.body.id, name });
  }
  // Personal data also waits in drafts and import staging: the job must cover them too.
  const vault = createVault(sys.config.pii);
  for (let i = 0; i < 2; i++) {
    const beneficiaryId = randomUUID();
    draftIds.push(beneficiaryId);
    await sys.prisma.beneficiaryDraft.create({
      data: { beneficiaryId, projectId: PROJECT, profile: {}, personal: vault.seal(beneficiaryId, { name: `Draft ${i}` }) },
    });
  }
  await sys.prisma.beneficiaryImport.create({
    data: { id: importId, projectId: PROJECT, source: 'csv', dryRun: false, deployWallets: false, chunkSize: 10, status: 'VALIDATING' },
  });
  for (let rowNumber = 1; rowNumber <= 3; rowNumber++) {
    const beneficiaryId = randomUUID();
    await sys.prisma.importRow.create({
      data: { importId, rowNumber, status: 'STAGED', beneficiaryId, personal: vault.seal(beneficiaryId, { name: `Staged ${rowNumber}` }) },
    });
  }
}, 240_000);

afterAll(async () => {
  if (sys) {
    // Back under the old key, for the suites that run after this one on the same database.
    const back = KeyRing.fromSettings({ encryptionKeys: { ...sys.config.pii.encryptionKeys, [NEW_ID]: NEW_KEY }, activeKeyId: oldRing.activeKeyId });
    await sys.prisma.beneficiaryDraft.deleteMany({ where: { beneficiaryId: { in: draftIds } } });
    await sys.prisma.beneficiaryImport.deleteMany({ where: { id: importId } });
    const restored = await rekeyPersonalData(sys.prisma, back);
    await sys.stop();
    if (!restored.done) throw new Error(`could not rotate the test database back: ${JSON.stringify(restored.stores)}`);
  }
});

describe('re-encryption under a new key', () => {
  it('When asked for a dry run, Then it counts values by key and changes nothing', async () => {
    const before = await keyIds();

    const report = await rekeyPersonalData(sys.prisma, bothRing, { dryRun: true });

    expect(report.done).toBe(false);
    expect(report.stores.map((s) => s.table)).toEqual(['beneficiary_personal', 'beneficiary_drafts', 'import_rows']);
    expect(report.stores.find((s) => s.table === 'beneficiary_drafts')!.byKey[oldRing.activeKeyId]).toBeGreaterThanOrEqual(2);
    expect(report.stores.find((s) => s.table === 'import_rows')!.byKey[oldRing.activeKeyId]).toBeGreaterThanOrEqual(3);
    expect(report.stores.every((s) => s.rekeyed === 0)).toBe(true);
    expect(await keyIds()).toEqual(before);
  });

  it('When the job is killed after its first batch, raced by a write, and run again, Then every value ends under the new key with the same data and the raced write kept', async () => {
    const original = await openAll(oldRing);
    const ours = new Set(people.map((p) => p.id));
    let racedId: string | undefined;

    await expect(
      rekeyPersonalData(sys.prisma, bothRing, {
        batchSize: 2,
        afterBatch: async () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const halfway = await keyIds();
    // A process still on the old configuration rewrites a row the job has read but not yet written.
    const second = await rekeyPersonalData(sys.prisma, bothRing, {
      batchSize: 2,
      beforeWrite: async (table, rows) => {
        const target = rows.find((r) => ours.has(r[0]!))?.[0];
        if (racedId || table !== 'beneficiary_personal' || !target) return;
        racedId = target;
        await sys.prisma.beneficiaryPersonal.update({
          where: { beneficiaryId: target },
          data: { ciphertext: createVault(sys.config.pii).seal(target, { name: 'Changed Meanwhile' }) },
        });
      },
    });
    const third = await rekeyPersonalData(sys.prisma, bothRing);

    expect(halfway.filter((k) => k === NEW_ID)).toHaveLength(2);
    expect(halfway.length).toBe(original.size);
    expect(racedId).toBeDefined();
    expect(second.stores[0]!.skipped).toBe(1);
    expect(second.done).toBe(false);
    expect(third).toMatchObject({ done: true, stores: [{ rekeyed: 1, skipped: 0, unreadable: [] }, { rekeyed: 0 }, { rekeyed: 0 }] });
    // The new key alone opens everything: the old one can go.
    const onlyNew = KeyRing.fromSettings({ encryptionKeys: { [NEW_ID]: NEW_KEY }, activeKeyId: NEW_ID });
    const after = await openAll(onlyNew);
    expect([...after.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [row, data] of original) expect(after.get(row)).toEqual(row === `personal/${racedId}` ? { name: 'Changed Meanwhile' } : data);
  }, 60_000);

  it('When the API holds only the new key, Then it shows the personal data; a value under a key nobody holds is reported, not touched', async () => {
    const api = await startSystem(
      { PII_ENCRYPTION_KEYS: JSON.stringify({ [NEW_ID]: NEW_KEY }), PII_ACTIVE_KEY_ID: NEW_ID },
      { worker: false },
    );
    const lost = randomUUID();
    const gone = KeyRing.fromSettings({ encryptionKeys: { gone: randomBytes(32).toString('base64') }, activeKeyId: 'gone' });
    draftIds.push(lost);
    const sealed = gone.sealText(JSON.stringify({ name: 'Lost' }), `beneficiary:${lost}`);
    await sys.prisma.beneficiaryDraft.create({ data: { beneficiaryId: lost, projectId: PROJECT, profile: {}, personal: sealed } });
    try {
      const shown = await call(api.api.url, 'GET', `/v1/beneficiaries/${people[1]!.id}/personal`);
      const report = await rekeyPersonalData(sys.prisma, bothRing);

      expect(shown.status).toBe(200);
      expect(shown.body.personal.name).toBe(people[1]!.name);
      expect(report.done).toBe(false);
      expect(report.stores[1]!.unreadable).toEqual([{ row: lost, reason: expect.stringMatching(/no key with id gone/) }]);
      expect((await sys.prisma.beneficiaryDraft.findUniqueOrThrow({ where: { beneficiaryId: lost } })).personal).toBe(sealed);
    } finally {
      await api.stop();
    }
  }, 60_000);
});
