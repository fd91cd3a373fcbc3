import { ZeroAddress, type EventLog } from 'ethers';
import { ErrorType } from '../../common/errors';
import { engineAddressesSql } from '../../common/engine-addresses';
import { recordEvent } from '../../common/outbox';
import { decodeDisburse } from '../../contracts/disbursement-codec';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import type { ActivityDeps } from '../deps';
import { permanent } from '../failures';
import { spendable } from './budget';
import { batchKey, chunkKey, fundRef, projectKey, returnRef } from './refs';
import type { Paid, Prepared } from './single';
import type { ChainVerdicts } from './verdict';

export interface PlannedRound {
  chunks: number;
  payouts: number;
  total: string;
}

export interface ChunkRef {
  chunkId: string;
  seq: number;
}

const FINAL = ['CONFIRMED', 'FAILED', 'CANCELLED'];

/** Planning, funding and closing a batch; chunks are paid by chunkActivities. */
export function batchActivities({ prisma, chain, logger }: ActivityDeps, sender: TxSender, verdicts: ChainVerdicts) {
  const disbursement = async (projectId: string) => {
    const d = await prisma.projectDisbursement.findUnique({ where: { projectId } });
    return d ? { row: d, contract: chain.disbursement(d.address) } : undefined;
  };

  /** What the treasury released to the batch for a round, from its Released event. */
  async function fundedFor(batchId: string, round: number): Promise<bigint> {
    const v = await verdicts.release(fundRef(batchId, round));
    if (v.state === 'pending') throw new Error(`the funding of ${batchId} round ${round} lacks confirmations`);
    return v.state === 'paid' ? v.paid.amount : 0n;
  }

  async function returnedFor(batchId: string, projectId: string, round: number): Promise<bigint> {
    const d = await disbursement(projectId);
    if (!d) return 0n;
    const v = await verdicts.returned(d.contract, returnRef(batchId, round));
    if (v.state === 'pending') throw new Error(`the return of ${batchId} round ${round} lacks confirmations`);
    return v.state === 'paid' ? v.paid.amount : 0n;
  }

  /**
   * Payouts about to be (re)planned that the contract's per-payout bitmap already marks paid
   * (by a chunk the database lost track of): recorded CONFIRMED with the paying transaction,
   * never put into a chunk again.
   */
  async function recordPaidOnChain(batchId: string, projectId: string): Promise<number> {
    const d = await disbursement(projectId);
    if (!d) return 0;
    const open = await prisma.payout.findMany({ where: { batchId, status: 'PENDING', chunkId: null }, select: { id: true, seq: true } });
    const batch = batchKey(batchId);
    const paid = await verdicts.paidSeqs(
      d.contract,
      batch,
      open.map((p) => p.seq!),
    );
    if (paid.size === 0) return 0;
    const bySeq = new Map<number, Paid>();
    for (const log of await verdicts.batchChunks(d.contract, batch, Number(d.row.blockNumber ?? 0n))) {
      const tx = await chain.provider.getTransaction(log.transactionHash);
      for (const p of decodeDisburse(tx!.data).payouts)
        bySeq.set(p.seq, { txHash: log.transactionHash, blockNumber: (log as EventLog).blockNumber });
    }
    for (const p of open.filter((o) => paid.has(o.seq!))) {
      const found = bySeq.get(p.seq!);
      if (!found) throw new Error(`payout ${p.id} (seq ${p.seq}) is marked paid on chain but no chunk paying it was found`);
      await prisma.payout.update({
        where: { id: p.id },
        data: { status: 'CONFIRMED', txHash: found.txHash, blockNumber: BigInt(found.blockNumber), failureReason: null },
      });
    }
    logger.warn({ batchId, payouts: paid.size }, 'payouts already paid on chain were recorded instead of paid again');
    return paid.size;
  }

  return {
    /**
     * Fixes the wallet address of every PENDING payout of the batch that has no chunk yet,
     * fails those that cannot be paid, and groups the rest into chunks in seq order.
     * Idempotent: a second run finds nothing left to plan and returns the round as planned.
     */
    async planRound({ batchId, round }: { batchId: string; round: number }): Promise<PlannedRound> {
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      const size = batch.chunkSize;
      // Payouts written before seqs existed get theirs now (the bitmap guard is indexed by it).
      await prisma.$executeRaw`UPDATE payouts p SET seq = s.base + s.rn
        FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn,
                     (SELECT coalesce(max(seq) + 1, 0) FROM payouts WHERE batch_id = ${batchId}) AS base
              FROM payouts WHERE batch_id = ${batchId} AND seq IS NULL) s
        WHERE p.id = s.id`;
      await recordPaidOnChain(batchId, batch.projectId);
      // Addresses a payout must never go to: each would revert (or swallow) a whole chunk.
      const refused = [ZeroAddress, ...Object.values(chain.addresses)].map((a) => a.toLowerCase());
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
          await tx.$executeRaw`UPDATE payouts p SET status = 'FAILED', updated_at = now(),
              failure_reason = 'InvalidRecipient: the wallet address is the zero address or one of the engine''s own contracts'
            FROM wallets w
            WHERE p.batch_id = ${batchId} AND p.status = 'PENDING' AND p.chunk_id IS NULL
              AND w.beneficiary_id = p.beneficiary_id AND (lower(w.address) = ANY(${refused}::text[]) OR lower(w.address) IN (${engineAddressesSql}))`;
          const [{ n }] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM payouts
            WHERE batch_id = ${batchId} AND status = 'PENDING' AND chunk_id IS NULL`;
          if (n === 0) return;
          const ids = Array.from({ length: Math.ceil(n / size) }, (_, seq) => chunkKey(batchId, round, seq));
          await tx.$executeRaw`UPDATE payouts p SET wallet_address = r.address, chunk_id = m.chunk_id,
              chunk_index = (r.rn % ${size})::int, updated_at = now()
            FROM (SELECT p2.id, w.address, row_number() OVER (ORDER BY p2.seq) - 1 AS rn
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

    /** Chunks of the round after `afterSeq`, in order. */
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

    /**
     * Reserves the round's budget: the treasury releases it to the project's contract (ref-guarded,
     * within the project's allowance). A round the chain shows funded already is not funded again.
     */
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
      const already = await verdicts.release(fundRef(batchId, round));
      if (already.state === 'paid') return { alreadyPaid: { txHash: already.paid.txHash, blockNumber: already.paid.blockNumber } };
      if (already.state === 'pending') throw new Error(`the funding of ${batchId} round ${round} lacks confirmations`);
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: batch.projectId } });
      const args = [projectKey(batch.projectId), chain.addresses.token, d.address, BigInt(amount), fundRef(batchId, round)] as const;
      const { id } = await sender.prepare(`fund:${batchId}:${round}`, async () => {
        await spendable(chain, batch.projectId, BigInt(amount));
        return { to: chain.addresses.treasury, data: chain.treasury.interface.encodeFunctionData('release', args), gasLimit: 150_000n };
      });
      return { txId: id };
    },

    /** Funded or not, as the treasury recorded it at the confirmation depth. */
    async recordFunding({
      batchId,
      round,
      outcome,
    }: {
      batchId: string;
      round: number;
      outcome: TxOutcome | { kind: 'paid'; paid: Paid };
    }): Promise<void> {
      const funded = await fundedFor(batchId, round);
      if (funded === 0n) {
        const why = outcome.kind === 'mined' ? await verdicts.revertReason(outcome.hash) : undefined;
        throw permanent(ErrorType.InsufficientFunds, `the treasury's release for batch ${batchId} did not happen${why ? ` (${why})` : ''}`);
      }
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      let total = 0n;
      for (let r = 0; r <= batch.round; r++) total += r === round ? funded : await fundedFor(batchId, r);
      await prisma.distributionBatch.update({ where: { id: batchId }, data: { fundedAmount: total.toString() } });
    },

    async setBatchStatus({ batchId, status }: { batchId: string; status: 'RUNNING' | 'PAUSED' }): Promise<void> {
      await prisma.distributionBatch.update({ where: { id: batchId }, data: { status } });
      // The first start only: a resume must not restart the clock of rate and ETA.
      if (status === 'RUNNING')
        await prisma.distributionBatch.updateMany({ where: { id: batchId, startedAt: null }, data: { startedAt: new Date() } });
    },

    /**
     * Cancels (or, with a reason, fails) chunks that never started, under the lock a prepare
     * takes: a chunk being signed at this moment is left to its workflow.
     */
    async cancelUnstartedChunks({ batchId, round, failure }: { batchId: string; round: number; failure?: string }): Promise<number> {
      return prisma.$transaction(async (tx) => {
        const chunks = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM payout_chunks
          WHERE batch_id = ${batchId} AND round = ${round} AND status = 'PENDING' ORDER BY seq FOR UPDATE`;
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

    /**
     * The saga's compensation: budget goes back only for chunks the chain proves unpaid (not
     * paid at the confirmation depth nor at the head, and no transaction of theirs can still be
     * mined). A chunk not settled yet stops it; its budget must not leave while it may be spent.
     */
    async prepareReturn({ batchId, round }: { batchId: string; round: number }): Promise<Prepared | { skipped: true; amount: string }> {
      const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      const chunks = await prisma.payoutChunk.findMany({ where: { batchId, round } });
      const open = chunks.find((c) => !FINAL.includes(c.status));
      if (open) throw new Error(`chunk ${open.id} of ${batchId} round ${round} is not settled yet`);
      const funded = await fundedFor(batchId, round);
      const d = await disbursement(batch.projectId);
      if (funded === 0n || !d) return { skipped: true, amount: '0' };
      let unpaid = 0n;
      let paid = 0n;
      for (const c of chunks) {
        const verdict = await verdicts.chunk(d.contract, c.id);
        if (verdict.state !== 'unpaid') {
          if (c.status !== 'CONFIRMED')
            logger.warn(
              { batchId, chunkId: c.id, state: verdict.state, db: c.status },
              'chunk paid on chain but not confirmed in the database',
            );
          paid += BigInt(c.total.toFixed());
          continue;
        }
        const tx = await prisma.chainTransaction.findUnique({ where: { purpose: `chunk:${c.id}` }, select: { status: true } });
        if (tx && tx.status !== 'MINED' && tx.status !== 'DROPPED') {
          logger.warn({ batchId, chunkId: c.id }, 'a transaction of this chunk may still be mined: its budget stays');
          continue;
        }
        unpaid += BigInt(c.total.toFixed());
      }
      const amount = unpaid > funded - paid ? funded - paid : unpaid;
      if (amount <= 0n) return { skipped: true, amount: '0' };
      const { id } = await sender.prepare(`return:${batchId}:${round}`, async () => ({
        to: d.row.address,
        data: d.contract.interface.encodeFunctionData('returnToTreasury', [returnRef(batchId, round), amount]),
        gasLimit: 150_000n,
      }));
      return { txId: id };
    },

    /** Closes the round from the database's authoritative counts and the chain's budget records; emits batch.completed. */
    async finalizeBatch({ batchId, cancelled }: { batchId: string; cancelled: boolean }): Promise<{ status: string }> {
      const current = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
      let funded = 0n;
      let returned = 0n;
      for (let r = 0; r <= current.round; r++) {
        funded += await fundedFor(batchId, r);
        returned += await returnedFor(batchId, current.projectId, r);
      }
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
