import { beneficiaryInput, fieldErrors, toRecord, type FieldError } from '../common/beneficiary-input';
import { stage } from '../common/beneficiary-staging';
import type { PersonalDataVault } from '../common/crypto/vault';
import type { PrismaClient } from '../common/db';
import type { IdScheme } from '../common/ids';
import { ImportRejected, type RawRecord } from './import-parsers';

export const MAX_IMPORT_ROWS = 100_000;
const BATCH = 1000;

interface StagedRow {
  rowNumber: number;
  status: 'STAGED' | 'INVALID';
  beneficiaryId: string | null;
  externalId: string | null;
  phoneIndex: string | null;
  walletAddress: string | null;
  profile: string | null;
  personal: string | null;
  errors: string | null;
}

/** Validates one record and seals its personal data; an invalid record keeps only its errors. */
export function stageRecord(vault: PersonalDataVault, ids: IdScheme, raw: RawRecord, dryRun: boolean): StagedRow {
  const invalid = (errors: FieldError[]): StagedRow => ({
    rowNumber: raw.rowNumber,
    status: 'INVALID',
    beneficiaryId: null,
    externalId: null,
    phoneIndex: null,
    walletAddress: null,
    profile: null,
    personal: null,
    errors: JSON.stringify(errors),
  });
  if (raw.error) return invalid([{ field: '(row)', message: raw.error }]);
  const parsed = beneficiaryInput.safeParse(raw.fields);
  if (!parsed.success) return invalid(fieldErrors(parsed.error));
  const s = stage(vault, ids, toRecord(parsed.data), { dryRun });
  return { rowNumber: raw.rowNumber, status: 'STAGED', ...s, profile: JSON.stringify(s.profile), errors: null };
}

async function insertRows(prisma: PrismaClient, importId: string, rows: StagedRow[]): Promise<void> {
  const col = <K extends keyof StagedRow>(k: K) => rows.map((r) => r[k]);
  // ON CONFLICT: a partner pull resumed after a crash re-reads pages it had staged.
  await prisma.$executeRaw`
    INSERT INTO import_rows (import_id, row_number, status, beneficiary_id, external_id, phone_index, wallet_address, profile, personal, errors)
    SELECT ${importId}::uuid, u.n, u.status::"ImportRowStatus", u.id::uuid, u.ext, u.phone, u.wallet, u.profile::jsonb, u.personal, u.errors::jsonb
    FROM unnest(${col('rowNumber')}::int[], ${col('status')}::text[], ${col('beneficiaryId')}::text[], ${col('externalId')}::text[],
                ${col('phoneIndex')}::text[], ${col('walletAddress')}::text[], ${col('profile')}::text[], ${col('personal')}::text[],
                ${col('errors')}::text[]) AS u(n, status, id, ext, phone, wallet, profile, personal, errors)
    ON CONFLICT DO NOTHING`;
}

/**
 * Streams records into import_rows in batches of 1000 rows, one batch written while the next
 * is read: memory holds two batches at most, whatever the size of the file.
 */
export async function stageRecords(
  deps: { prisma: PrismaClient; vault: PersonalDataVault },
  target: { importId: string; ids: IdScheme; dryRun: boolean },
  records: AsyncIterable<RawRecord>,
  opts: { afterBatch?: (lastRowNumber: number) => Promise<void> | void } = {},
): Promise<{ total: number; invalid: number }> {
  let batch: StagedRow[] = [];
  let writing: Promise<void> = Promise.resolve();
  let total = 0;
  let invalid = 0;
  const flush = async () => {
    const rows = batch;
    batch = [];
    await writing;
    writing = insertRows(deps.prisma, target.importId, rows).then(() => opts.afterBatch?.(rows[rows.length - 1]!.rowNumber));
  };
  try {
    for await (const raw of records) {
      if (raw.rowNumber > MAX_IMPORT_ROWS) throw new ImportRejected(`more than ${MAX_IMPORT_ROWS} rows`, 413);
      const row = stageRecord(deps.vault, target.ids, raw, target.dryRun);
      total = Math.max(total, raw.rowNumber);
      if (row.status === 'INVALID') invalid += 1;
      batch.push(row);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    // Never leave a write running unobserved, even when reading failed.
    await writing.catch(() => undefined);
  }
  await writing;
  return { total, invalid };
}
