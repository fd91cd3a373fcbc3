import { ContractFactory, getCreateAddress, id as keccakId } from 'ethers';
import { ErrorType } from '../../common/errors';
import { recordEvent } from '../../common/outbox';
import { permanent } from '../failures';
import { loadArtifact } from '../../contracts/artifacts';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import type { ActivityDeps } from '../deps';
import { chunkKey, fundRef } from './refs';
import type { Prepared } from './single';

export interface PlannedRound {
  chunks: number;
  payouts: number;
  total: string;
}

export interface ChunkRef {
  chunkId: string;
  seq: number;
}

/** Planning, funding and closing a batch; chunks are paid by chunkActivities. */
export function batchActivities({ prisma, chain }: ActivityDeps, sender: TxSender) {
  /**
   * Budget moved for a batch, read from its mined funding and return transactions (not from
   * counters, which a retried activity could add twice).
   */
  async function budget(batchId: string): Promise<{ funded: bigint; returned: bigint }> {
    const txs = await prisma.chainTransaction.findMany({
      where: { OR: [{ purpose: { startsWith: `fund:${batchId}:` } }, { purpose: { startsWith: `return:${batchId}:` } }], succeeded: true },
    });
    let funded = 0n;
    let returned = 0n;
    for (const t of txs) {
      if (t.purpose.startsWith('fund:')) funded += chain.treasury.interface.decodeFunctionData('release', t.data)[2] as bigint;
      else returned += chain.disbursement(t.toAddress).interface.decodeFunctionData('returnToTreasury', t.data)[0] as bigint;
    }
    return { funded, returned };
  }

  return {
    /**
     * Fixes the wallet address of every PENDING payout of the batch that has no chunk yet,
     * fails those whose beneficiary cannot be paid, and groups the rest into chunks.
     * Idempotent: a second run finds nothing left to plan and returns the round as planned.
     */
    async planRound({ batchId, round }: { batchId: string; round: number }): Promise<PlannedRound> {
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      const size = batch.chunkSize;
      // One pass over the rows: fail the unpayable, then fix address and chunk of the rest together.
      await prisma.$transaction(
        async (tx) => {
          // A batch has just written its payouts in bulk: fresh statistics keep these joins hash joins.
          await tx.$executeRaw`ANALYZE payouts, beneficiaries, wallets`;
          await tx.$executeRaw`UPDATE payouts p SET status = 'FAILED', updated_at = now(),
              failure_reason = 'BeneficiaryNotActive: beneficiary is not active in the project or has no wallet'
            FROM (SELECT p2.id FROM payouts p2
                  LEFT JOIN beneficiaries b ON b.id = p2.beneficiary_id AND b.status = 'ACTIVE' AND b.project_id = p2.project_id
                  LEFT JOIN wallets w ON w.beneficiary_id = b.id
                  WHERE p2.batch_id = ${batchId} AND p2.status = 'PENDING' AND p2.chunk_id IS NULL AND w.address IS NULL) x
            WHERE p.id = x.id`;
          const [{ n }] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM payouts
            WHERE batch_id = ${batchId} AND status = 'PENDING' AND chunk_id IS NULL`;
          if (n === 0) return;
          const ids = Array.from({ length: Math.ceil(n / size) }, (_, seq) => chunkKey(batchId, round, seq));
          await tx.$executeRaw`UPDATE payouts p SET wallet_address = r.address, chunk_id = m.chunk_id,
              chunk_index = (r.rn % ${size})::int, updated_at = now()
            FROM (SELECT p2.id, w.address, row_number() OVER (ORDER BY p2.id) - 1 AS rn
                  FROM payouts p2 JOIN wallets w ON w.beneficiary_id = p2.beneficiary_id
                  WHERE p2.batch_id = ${batchId} AND p2.status = 'PENDING' AND p2.chunk_id IS NULL) r
            JOIN unnest(${ids}::text[]) WITH ORDINALITY AS m(chunk_id, ord) ON m.ord - 1 = r.rn / ${size}
            WHERE p.id = r.id`;
          await tx.$executeRaw`INSERT INTO payout_chunks (id, batch_id, round, seq, status, payout_count, total, updated_at)
            SELECT s.chunk_id, ${batchId}, ${round}, (m.ord - 1)::int, 'PENDING', s.n, s.total, now()
            FROM unnest(${ids}::text[]) WITH ORDINALITY AS m(chunk_id, ord)
            JOIN (SELECT chunk_id, count(*)::int AS n, sum(amount) AS total FROM payouts
                  WHERE chunk_id = ANY(${ids}::text[]) GROUP BY chunk_id) s ON s.chunk_id = m.chunk_id
            ON CONFLICT DO NOTHING`;
        },
        { timeout: 600_000 },
      );
      const [agg] = await prisma.$queryRaw<{ chunks: number; payouts: number; total: string }[]>`
        SELECT count(*)::int AS chunks, coalesce(sum(payout_count), 0)::int AS payouts, coalesce(sum(total), 0)::text AS total
        FROM payout_chunks WHERE batch_id = ${batchId} AND round = ${round}`;
      return agg!;
    },

    /** Chunks of the round not yet final, after `afterSeq`, in order. */
    async nextChunks({
      batchId,
      round,
      afterSeq,
      limit,
    }: {
      batchId: string;
      round: number;
      afterSeq: number;
      limit: number;
    }): Promise<ChunkRef[]> {
      const rows = await prisma.payoutChunk.findMany({
        where: { batchId, round, seq: { gt: afterSeq } },
        orderBy: { seq: 'asc' },
        take: limit,
        select: { id: true, seq: true },
      });
      return rows.map((r) => ({ chunkId: r.id, seq: r.seq }));
    },

    /** Deploys the project's disbursement contract once (a stored, crash-safe transaction). */
    async prepareDisbursementDeploy({ projectId }: { projectId: string }): Promise<Prepared | { deployed: string }> {
      const existing = await prisma.projectDisbursement.findUnique({ where: { projectId } });
      if (existing) return { deployed: existing.address };
      const { abi, bytecode } = loadArtifact('RahatDisbursement');
      const { id } = await sender.prepare(`deploy-disbursement:${projectId}`, async () => {
        const tx = await new ContractFactory(abi, bytecode).getDeployTransaction(
          chain.addresses.token,
          chain.addresses.treasury,
          keccakId(`project:${projectId}`),
          chain.signerAddress,
          chain.signerAddress,
        );
        return { to: null, data: tx.data, gasLimit: 2_000_000n };
      });
      return { txId: id };
    },

    async recordDisbursementDeploy({ projectId, txId, outcome }: { projectId: string; txId: string; outcome: TxOutcome }): Promise<string> {
      if (outcome.kind !== 'mined' || !outcome.succeeded) throw new Error(`disbursement deployment for ${projectId} did not succeed`);
      const tx = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
      const address = getCreateAddress({ from: tx.fromAddress, nonce: tx.nonce });
      await prisma.projectDisbursement.upsert({ where: { projectId }, create: { projectId, chainId: chain.chainId, address }, update: {} });
      return address;
    },

    /** Reserves the round's budget: the treasury releases it to the project's contract (ref-guarded). */
    async prepareFunding({
      batchId,
      round,
      amount,
    }: {
      batchId: string;
      round: number;
      amount: string;
    }): Promise<Prepared | { skipped: true }> {
      if (BigInt(amount) === 0n) return { skipped: true };
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: batch.projectId } });
      const ref = fundRef(batchId, round);
      const args = [chain.addresses.token, d.address, BigInt(amount), ref] as const;
      const { id } = await sender.prepare(`fund:${batchId}:${round}`, async () => ({
        to: chain.addresses.treasury,
        data: chain.treasury.interface.encodeFunctionData('release', args),
        gasLimit: 150_000n,
      }));
      return { txId: id };
    },

    async recordFunding({ batchId, outcome }: { batchId: string; outcome: TxOutcome }): Promise<void> {
      if (outcome.kind === 'mined' && !outcome.succeeded) {
        throw permanent(ErrorType.InsufficientFunds, `the treasury's release for batch ${batchId} reverted: is the treasury funded?`);
      }
      const { funded } = await budget(batchId);
      await prisma.distributionBatch.update({ where: { id: batchId }, data: { fundedAmount: funded.toString() } });
    },

    async setBatchStatus({ batchId, status }: { batchId: string; status: 'RUNNING' | 'PAUSED' }): Promise<void> {
      await prisma.distributionBatch.update({
        where: { id: batchId },
        data: { status },
      });
      // The first start only: a resume must not restart the clock of rate and ETA.
      if (status === 'RUNNING')
        await prisma.distributionBatch.updateMany({ where: { id: batchId, startedAt: null }, data: { startedAt: new Date() } });
    },

    /** Cancels (or, with a reason, fails) chunks that never started: no transaction was signed for them. */
    async cancelUnstartedChunks({ batchId, round, failure }: { batchId: string; round: number; failure?: string }): Promise<number> {
      return prisma.$transaction(async (tx) => {
        const chunks = await tx.payoutChunk.findMany({ where: { batchId, round, status: 'PENDING' }, select: { id: true } });
        const started = await tx.chainTransaction.findMany({
          where: { purpose: { in: chunks.map((c) => `chunk:${c.id}`) } },
          select: { purpose: true },
        });
        const signed = new Set(started.map((t) => t.purpose));
        const ids = chunks.map((c) => c.id).filter((id) => !signed.has(`chunk:${id}`));
        const status = failure ? 'FAILED' : 'CANCELLED';
        await tx.payoutChunk.updateMany({ where: { id: { in: ids } }, data: { status } });
        await tx.payout.updateMany({
          where: { chunkId: { in: ids } },
          data: { status, failureReason: failure ?? 'cancelled before sending' },
        });
        return ids.length;
      });
    },

    /** Unspent budget = funded − paid − already returned; the saga's compensation returns it. */
    async prepareReturn({ batchId, round }: { batchId: string; round: number }): Promise<Prepared | { skipped: true; amount: string }> {
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      const [{ paid }] = await prisma.$queryRaw<{ paid: string }[]>`SELECT coalesce(sum(amount), 0)::text AS paid FROM payouts
        WHERE batch_id = ${batchId} AND status = 'CONFIRMED'`;
      const { funded, returned } = await budget(batchId);
      const unspent = funded - BigInt(paid) - returned;
      if (unspent <= 0n) return { skipped: true, amount: '0' };
      const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: batch.projectId } });
      const contract = chain.disbursement(d.address);
      const { id } = await sender.prepare(`return:${batchId}:${round}`, async () => ({
        to: d.address,
        data: contract.interface.encodeFunctionData('returnToTreasury', [unspent]),
        gasLimit: 120_000n,
      }));
      return { txId: id };
    },

    /** Closes the round from the database's authoritative counts and emits batch.completed. */
    async finalizeBatch({ batchId, cancelled }: { batchId: string; cancelled: boolean }): Promise<{ status: string }> {
      const { funded, returned } = await budget(batchId);
      return prisma.$transaction(async (tx) => {
        const counts = await tx.payout.groupBy({ by: ['status'], where: { batchId }, _count: true });
        const n = (s: string) => counts.find((c) => c.status === s)?._count ?? 0;
        const status = cancelled ? 'CANCELLED' : n('FAILED') > 0 ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED';
        const batch = await tx.distributionBatch.update({
          where: { id: batchId },
          data: { status, finishedAt: new Date(), fundedAmount: funded.toString(), returnedAmount: returned.toString() },
        });
        await recordEvent(tx, {
          type: 'batch.completed',
          aggregateId: batchId,
          projectId: batch.projectId,
          data: { status, confirmed: n('CONFIRMED'), failed: n('FAILED'), cancelled: n('CANCELLED'), round: batch.round },
        });
        return { status };
      });
    },
  };
}
