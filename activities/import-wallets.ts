import type { PrismaClient } from '../common/db';
import type { TxOutcome } from './chain/tx-activities';
import type { TxSender } from './chain/tx-sender';
import { DEPLOY_GAS_PER_WALLET, type WalletFactoryAccess } from './wallet';

/** Wallets per deployMany transaction: 200 × ≤100k gas stays well inside a 30M-gas block. */
export const WALLETS_PER_DEPLOY_TX = 200;

interface Part {
  importId: string;
  chunk: number;
  part: number;
}

/** Row numbers of one deployment part: a fixed slice of a chunk, so a retry selects the same rows. */
const rangeOf = (p: Part, chunkSize: number) => {
  const from = p.chunk * chunkSize + p.part * WALLETS_PER_DEPLOY_TX + 1;
  return { from, to: Math.min(from + WALLETS_PER_DEPLOY_TX - 1, (p.chunk + 1) * chunkSize) };
};

/** Batch deployment of an import's smart wallets through RahatWalletFactory.deployMany. */
export function importWalletDeployment(prisma: PrismaClient, sender: TxSender, access: WalletFactoryAccess, factoryAddress: () => string) {
  const pending = async (p: Part) => {
    const { chunkSize } = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id: p.importId }, select: { chunkSize: true } });
    const { from, to } = rangeOf(p, chunkSize);
    return prisma.$queryRaw<
      { id: string }[]
    >`SELECT r.beneficiary_id::text AS id FROM import_rows r JOIN wallets w ON w.beneficiary_id = r.beneficiary_id
      WHERE r.import_id = ${p.importId}::uuid AND r.status = 'ENROLLED' AND r.row_number BETWEEN ${from} AND ${to}
        AND w.kind = 'SMART' AND w.deployed_at IS NULL ORDER BY r.row_number`;
  };

  return {
    async prepareImportWalletDeployment(p: Part): Promise<{ txId: string } | { skipped: true }> {
      const rows = await pending(p);
      if (rows.length === 0) return { skipped: true };
      const planner = await access.planner();
      const plans = rows.map((r) => planner.plan(r.id));
      const { id } = await sender.prepare(`wallets:${p.importId}:${p.chunk}:${p.part}`, async () => ({
        to: factoryAddress(),
        data: access.factory().interface.encodeFunctionData('deployMany', [plans.map((x) => x.owner), plans.map((x) => x.salt)]),
        gasLimit: DEPLOY_GAS_PER_WALLET * BigInt(plans.length) + 100_000n,
      }));
      return { txId: id };
    },

    /** A succeeded deployMany deployed (or found) every wallet it named: mark the slice deployed. */
    async confirmImportWalletDeployment(p: Part & { outcome: TxOutcome | { kind: 'none' } }): Promise<{ deployed: number }> {
      if (p.outcome.kind !== 'mined' || !p.outcome.succeeded || p.outcome.cancelled) return { deployed: 0 };
      const { chunkSize } = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id: p.importId }, select: { chunkSize: true } });
      const { from, to } = rangeOf(p, chunkSize);
      const [{ n }] = await prisma.$queryRaw<{ n: number }[]>`
        WITH done AS (
          UPDATE wallets w SET deployed_at = now(), deploy_tx_hash = ${p.outcome.hash}
          FROM import_rows r
          WHERE r.import_id = ${p.importId}::uuid AND r.status = 'ENROLLED' AND r.row_number BETWEEN ${from} AND ${to}
            AND w.beneficiary_id = r.beneficiary_id AND w.kind = 'SMART' AND w.deployed_at IS NULL
          RETURNING 1),
        counted AS (UPDATE beneficiary_imports SET wallets_deployed = wallets_deployed + (SELECT count(*) FROM done) WHERE id = ${p.importId}::uuid)
        SELECT count(*)::int AS n FROM done`;
      return { deployed: n! };
    },
  };
}
