import { createVault } from '../common/crypto/vault';
import type { PrismaClient } from '../common/db';
import { ID_DERIVATION, type IdScheme } from '../common/ids';
import { ImportRejected, type RawRecord } from './import-parsers';
import { MAX_IMPORT_ROWS, stageRecord, stageRecords } from './import-staging';

const vault = createVault({
  encryptionKeys: { k1: Buffer.alloc(32, 1).toString('base64') },
  activeKeyId: 'k1',
  blindIndexKey: Buffer.alloc(32, 2).toString('base64'),
});
const IDS: IdScheme = { projectId: 'p1', derivation: ID_DERIVATION.hmacSha256, key: 'k'.repeat(32) };
const PERSON = { externalId: 'u-1', name: 'Sita Sharma', phone: '+9779841234567', gender: 'female' };

/** A prisma whose $executeRaw records how many rows each INSERT carried (the first array parameter). */
function fakePrisma() {
  const batches: number[] = [];
  const prisma = {
    $executeRaw: jest.fn(async (_s: TemplateStringsArray, ...values: unknown[]) => batches.push((values[1] as unknown[]).length)),
  };
  return { prisma: prisma as unknown as PrismaClient, batches };
}

async function* records(n: number, make: (i: number) => RawRecord = (i) => ({ rowNumber: i, fields: {}, error: 'bad' })) {
  for (let i = 1; i <= n; i++) yield make(i);
}

describe('stageRecord', () => {
  it('When a record is valid, Then it is STAGED with its personal data sealed, its phone indexed and no plaintext anywhere', () => {
    const row = stageRecord(vault, IDS, { rowNumber: 1, fields: PERSON }, false);

    expect(row).toMatchObject({
      rowNumber: 1,
      status: 'STAGED',
      externalId: 'u-1',
      phoneIndex: vault.phoneIndex(PERSON.phone),
      errors: null,
    });
    expect(JSON.parse(row.profile!)).toEqual({ gender: 'FEMALE' });
    expect(vault.open(row.beneficiaryId!, row.personal!)).toEqual({ name: 'Sita Sharma', phone: '+9779841234567' });
    expect(JSON.stringify(row)).not.toMatch(/Sita|9841234567/);
  });

  it('When a record is invalid, Then only its errors are kept, none of its data', () => {
    const row = stageRecord(vault, IDS, { rowNumber: 2, fields: { ...PERSON, phone: '98412' } }, false);

    expect(row).toMatchObject({ status: 'INVALID', beneficiaryId: null, personal: null, profile: null, phoneIndex: null });
    expect(JSON.parse(row.errors!)).toEqual([{ field: 'phone', message: expect.stringMatching(/international/) }]);
    expect(row.errors).not.toContain('98412');
  });

  it('When staging a dry run, Then nothing personal is sealed but the keys used for duplicate checks are', () => {
    const row = stageRecord(vault, IDS, { rowNumber: 1, fields: PERSON }, true);

    expect(row.personal).toBeNull();
    expect(row.phoneIndex).toBe(vault.phoneIndex(PERSON.phone));
  });
});

describe('stageRecords', () => {
  it('When 2,500 records stream in, Then they are written in batches of at most 1,000 and counted', async () => {
    const { prisma, batches } = fakePrisma();

    const result = await stageRecords({ prisma, vault }, { importId: 'i', ids: IDS, dryRun: false }, records(2500));

    expect(batches).toEqual([1000, 1000, 500]);
    expect(result).toEqual({ total: 2500, invalid: 2500 });
  });

  it(`When a file has more than ${MAX_IMPORT_ROWS} rows, Then it is rejected with 413`, async () => {
    const { prisma } = fakePrisma();

    const err = await stageRecords({ prisma, vault }, { importId: 'i', ids: IDS, dryRun: false }, records(MAX_IMPORT_ROWS + 1)).catch(
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(ImportRejected);
    expect((err as ImportRejected).status).toBe(413);
  });
});
