import { Prisma, type PrismaClient } from '../common/db';
import { ENGINE_ADDRESS_MESSAGE, engineAddressesSql } from '../common/engine-addresses';
import { DUPLICATE } from './beneficiary-rows';

export interface ImportCounts {
  total: number;
  valid: number;
  invalid: number;
  duplicate: number;
}

/**
 * Marks DUPLICATE every staged row that repeats an earlier row of the file (same person, phone
 * or wallet address) or someone already registered, and INVALID one whose wallet address is
 * one of the engine's contracts. Set-based and idempotent: only STAGED
 * rows are looked at, so a retry changes nothing that was decided.
 */
export async function flagDuplicates(prisma: PrismaClient, importId: string, projectId: string): Promise<void> {
  const keyField = Prisma.sql`CASE WHEN r.external_id IS NULL THEN 'phone' ELSE 'externalId' END`;
  const mark = (field: Prisma.Sql, message: Prisma.Sql) =>
    Prisma.sql`UPDATE import_rows r SET status = 'DUPLICATE', errors = jsonb_build_array(jsonb_build_object('field', ${field}, 'message', ${message}))`;
  const inFile = (partition: 'beneficiary_id' | 'phone_index' | 'wallet_address', field: Prisma.Sql) =>
    prisma.$executeRaw`${mark(field, Prisma.sql`'duplicate of row ' || d.first`)}
      FROM (SELECT row_number, min(row_number) OVER (PARTITION BY ${Prisma.raw(partition)}) AS first FROM import_rows
            WHERE import_id = ${importId}::uuid AND status = 'STAGED' AND ${Prisma.raw(partition)} IS NOT NULL) d
      WHERE r.import_id = ${importId}::uuid AND r.row_number = d.row_number AND d.row_number > d.first`;
  await inFile('beneficiary_id', keyField);
  await inFile('phone_index', Prisma.sql`'phone'`);
  await inFile('wallet_address', Prisma.sql`'walletAddress'`);
  const staged = Prisma.sql`r.import_id = ${importId}::uuid AND r.status = 'STAGED'`;
  // A person whose registration FAILED is not a duplicate: the import registers them anew
  // (insertBeneficiaries). Their own phone and wallet are no conflict either.
  await prisma.$executeRaw`${mark(keyField, Prisma.sql`${DUPLICATE.person}::text`)} WHERE ${staged}
    AND (EXISTS (SELECT 1 FROM beneficiaries b WHERE b.id = r.beneficiary_id AND b.status <> 'FAILED')
         OR (r.external_id IS NOT NULL AND EXISTS (SELECT 1 FROM beneficiaries b
               WHERE b.project_id = ${projectId} AND b.external_id = r.external_id AND b.id IS DISTINCT FROM r.beneficiary_id)))`;
  await prisma.$executeRaw`${mark(Prisma.sql`'phone'`, Prisma.sql`${DUPLICATE.phone}::text`)} WHERE ${staged}
    AND r.phone_index IS NOT NULL AND EXISTS (SELECT 1 FROM beneficiary_personal p
      WHERE p.project_id = ${projectId} AND p.phone_index = r.phone_index AND p.beneficiary_id IS DISTINCT FROM r.beneficiary_id)`;
  await prisma.$executeRaw`${mark(Prisma.sql`'walletAddress'`, Prisma.sql`${DUPLICATE.wallet}::text`)} WHERE ${staged}
    AND r.wallet_address IS NOT NULL AND EXISTS (SELECT 1 FROM wallets w WHERE w.address = r.wallet_address AND w.beneficiary_id IS DISTINCT FROM r.beneficiary_id)`;
  // Not a duplicate but unusable: an address of the engine's own contracts.
  await prisma.$executeRaw`UPDATE import_rows r SET status = 'INVALID',
      errors = jsonb_build_array(jsonb_build_object('field', 'walletAddress', 'message', ${ENGINE_ADDRESS_MESSAGE}::text))
    WHERE ${staged} AND r.wallet_address IS NOT NULL AND lower(r.wallet_address) IN (${engineAddressesSql})`;
}

/** Row counts by outcome, from the rows themselves (never from increments a retry could repeat). */
export async function countRows(prisma: PrismaClient, importId: string): Promise<ImportCounts> {
  const rows = await prisma.importRow.groupBy({ by: ['status'], where: { importId }, _count: { _all: true } });
  const n = (status: string) => rows.find((r) => r.status === status)?._count._all ?? 0;
  const total = rows.reduce((sum, r) => sum + r._count._all, 0);
  return { total, valid: total - n('INVALID') - n('DUPLICATE'), invalid: n('INVALID'), duplicate: n('DUPLICATE') };
}
