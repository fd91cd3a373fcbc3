import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Contract } from 'ethers';
import { deriveOwnerKey, ownerAddressOf, walletSalt } from '../../activities/wallet-derivation';
import { resolveContractAddresses } from '../../common/contract-addresses';
import { createVault } from '../../common/crypto/vault';
import { uuidFromDigest } from '../../common/ids';
import { loadArtifact } from '../../contracts/artifacts';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Beneficiary ids of projects created before keyed ids (derivation 1: sha256 of project and
 * external id, which anyone holding a national id list could recompute) and after (derivation 2:
 * HMAC under ID_DERIVATION_KEY). The ids are computed here from their definitions, not with
 * common/ids.ts, so a change there cannot move both sides at once.
 */

const LEGACY = 'ids-legacy';
const KEYED = 'ids-keyed';
let sys: System;
let factory: Contract;

const sha256Id = (projectId: string, key: string) =>
  uuidFromDigest(createHash('sha256').update(`beneficiary\u0000${projectId}\u0000${key}`).digest());
const hmacId = (projectId: string, key: string) =>
  uuidFromDigest(createHmac('sha256', sys.config.idDerivationKey).update(`beneficiary\u0000${projectId}\u0000${key}`).digest());
const phoneKey = (phone: string) => `\u0001phone:${createVault(sys.config.pii).phoneIndex(phone)}`;
/** The CREATE2 address of the wallet of this id, as the factory on chain computes it. */
const walletOf = async (id: string): Promise<string> =>
  factory.walletAddress(ownerAddressOf(deriveOwnerKey(sys.config.walletMasterSecret, id)), walletSalt(id));

beforeAll(async () => {
  sys = await startSystem();
  for (const id of [LEGACY, KEYED]) expect((await call(sys.api.url, 'POST', '/v1/projects', { id, name: id })).status).toBe(201);
  // What the id_derivation migration does to every project that existed before it.
  await sys.prisma.$executeRaw`UPDATE projects SET id_derivation = 1 WHERE id = ${LEGACY}`;
  const chainId = Number((await sys.provider.getNetwork()).chainId);
  const { walletFactory } = await resolveContractAddresses(sys.config, sys.prisma, chainId);
  factory = new Contract(walletFactory, loadArtifact('RahatWalletFactory').abi, sys.provider);
}, 120_000);

afterAll(async () => {
  await sys?.stop();
});

async function registerActive(projectId: string, body: Record<string, unknown>) {
  const started = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId, ...body });
  expect(started.status).toBe(202);
  return eventually(
    async () => (await call(sys.api.url, 'GET', started.body.links.self)).body,
    (b) => b.status === 'ACTIVE' || b.status === 'FAILED',
    60_000,
  );
}

/** A beneficiary as the registration before keyed ids left it: the sha256 id and the wallet planned from it. */
async function registeredBeforeTheChange(key: string, externalId: string | null) {
  const id = sha256Id(LEGACY, key);
  const address = await walletOf(id);
  await sys.prisma.beneficiary.create({ data: { id, projectId: LEGACY, externalId, status: 'ACTIVE' } });
  await sys.prisma.wallet.create({ data: { id: randomUUID(), beneficiaryId: id, address } });
  return { id, address };
}

describe('beneficiary id derivation', () => {
  it('When a project is created now, Then it records derivation 2; a project from before keeps the 1 the migration gave it', async () => {
    const rows = await sys.prisma.project.findMany({ where: { id: { in: [LEGACY, KEYED] } }, orderBy: { id: 'asc' } });

    expect(rows.map((p) => [p.id, p.idDerivation])).toEqual([
      [KEYED, 2],
      [LEGACY, 1],
    ]);
  });

  it('When a person registered before the change is registered again through the API, Then they keep the same id and wallet address', async () => {
    const byId = await registeredBeforeTheChange('before-1', 'before-1');
    const phone = '+9779842000001';
    const byPhone = await registeredBeforeTheChange(phoneKey(phone), null);

    const again = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: LEGACY, externalId: 'before-1' });
    const againByPhone = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: LEGACY, phone });

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: byId.id, walletAddress: byId.address });
    expect(againByPhone.status).toBe(200);
    expect(againByPhone.body).toMatchObject({ id: byPhone.id, walletAddress: byPhone.address });
    expect(await sys.prisma.beneficiary.count({ where: { projectId: LEGACY } })).toBe(2);
  });

  it('When a new person is registered in a project from before, Then the id is the legacy one and the wallet is deployed at its CREATE2 address', async () => {
    const b = await registerActive(LEGACY, { externalId: 'after-1' });

    expect(b.status).toBe('ACTIVE');
    expect(b.id).toBe(sha256Id(LEGACY, 'after-1'));
    expect(b.walletAddress).toBe(await walletOf(b.id));
    expect(await sys.provider.getCode(b.walletAddress)).not.toBe('0x');
  });

  it('When a person is registered in a new project, Then the id is not the sha256 of their external id and only the key recomputes it', async () => {
    const nationalId = 'NP-1990-0042';
    const b = await registerActive(KEYED, { externalId: nationalId });

    expect(b.status).toBe('ACTIVE');
    expect(b.id).not.toBe(sha256Id(KEYED, nationalId));
    expect(b.id).toBe(hmacId(KEYED, nationalId));
    expect(b.walletAddress).toBe(await walletOf(b.id));
    const again = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: KEYED, externalId: nationalId });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: b.id, walletAddress: b.walletAddress });
  });

  it.each([
    [LEGACY, sha256Id],
    [KEYED, hmacId],
  ])(
    'When people are imported from a CSV into %s, Then they get the ids and wallets single registration gives them',
    async (project, idOf) => {
      const phone = project === LEGACY ? '+9779842000101' : '+9779842000201';
      const csv = ['externalId,name,phone', `${project}-csv-1,Csv One,`, `${project}-csv-2,Csv Two,`, `,Phone Only,${phone}`].join('\n');
      if (project === LEGACY) await registeredBeforeTheChange('before-csv', 'before-csv');
      const body = project === LEGACY ? `${csv}\nbefore-csv,Before,` : csv;

      const res = await call(sys.api.url, 'POST', `/v1/imports?projectId=${project}&deployWallets=false`, body, {
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status).toBe(202);
      const done = await eventually(
        async () => (await call(sys.api.url, 'GET', `/v1/imports/${res.body.id}`)).body,
        (b) => Boolean(b.finishedAt),
        120_000,
      );

      expect(done.status).toBe('COMPLETED');
      expect(done.rows.enrolled).toBe(3);
      const rows = await sys.prisma.importRow.findMany({ where: { importId: res.body.id }, orderBy: { rowNumber: 'asc' } });
      const keys = [`${project}-csv-1`, `${project}-csv-2`, phoneKey(phone), ...(project === LEGACY ? ['before-csv'] : [])];
      expect(rows.map((r) => r.beneficiaryId)).toEqual(keys.map((k) => idOf(project, k)));
      if (project === LEGACY) expect(rows[3]).toMatchObject({ status: 'DUPLICATE' });
      const single = [
        await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: project, externalId: `${project}-csv-1` }),
        await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: project, externalId: `${project}-csv-2` }),
        await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: project, phone }),
      ];
      for (const [i, s] of single.entries()) {
        expect(s.status).toBe(200);
        expect(s.body.id).toBe(rows[i]!.beneficiaryId);
        expect(s.body.walletAddress).toBe(await walletOf(s.body.id));
      }
    },
    180_000,
  );
});
