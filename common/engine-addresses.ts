import { Prisma, type PrismaClient } from './db';

/** A payout to one of these would be lost (a contract that cannot spend it) or revert its whole chunk. */
export const ENGINE_ADDRESS_MESSAGE = "is one of the engine's own contracts; a payout there would be lost";

/**
 * SQL for the lower-cased addresses of every contract the engine deployed (core contracts on any
 * chain, project disbursement contracts): never a beneficiary's wallet.
 */
export const engineAddressesSql = Prisma.sql`SELECT lower(address) FROM contract_deployments UNION SELECT lower(address) FROM project_disbursements`;

export async function isEngineAddress(db: Pick<PrismaClient, '$queryRaw'>, address: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ hit: boolean }[]>`SELECT lower(${address}) IN (${engineAddressesSql}) AS hit`;
  return rows[0]?.hit === true;
}
