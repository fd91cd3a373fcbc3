import { ErrorType } from '../../common/errors';
import { encodeDisburse } from '../../contracts/disbursement-codec';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import type { ActivityDeps } from '../deps';
import { permanent } from '../failures';
import { batchKey } from './refs';
import type { Paid, Prepared } from './single';
import type { ChainVerdicts } from './verdict';

export interface ChunkResult {
  chunkId: string;
  status: 'CONFIRMED' | 'FAILED' | 'CANCELLED';
  count: number;
  total: string;
}

const FINAL = ['CONFIRMED', 'FAILED', 'CANCELLED'] as const;

/**
 * Gas for a chunk of n payouts: ~26k each to a fresh address, up to ~31k when a retry round's
 * scattered seqs touch a bitmap word each; the start-up check compares the largest chunk with
 * the chain's block gas limit.
 */
export const chunkGas = (n: number) => BigInt(100_000 + 31_000 * n);

export type SettleOutcome = TxOutcome | { kind: 'paid'; paid: Paid } | { kind: 'not-sent' };

/** One disbursement transaction paying the payouts of one chunk. */
export function chunkActivities({ prisma, chain, faults }: ActivityDeps, sender: TxSender, verdicts: ChainVerdicts) {
  async function disbursementOf(chunkId: string) {
    const chunk = await prisma.payoutChunk.findUniqueOrThrow({ where: { id: chunkId } });
    const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: chunk.batchId } });
    const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: batch.projectId } });
    return { chunk, contract: chain.disbursement(d.address), address: d.address };
  }

  async function finish(chunkId: string, status: ChunkResult['status'], paid?: Paid, reason?: string): Promise<ChunkResult> {
    const chunk = await prisma.$transaction(async (tx) => {
      const c = await tx.payoutChunk.update({
        where: { id: chunkId },
        data: { status, txHash: paid?.txHash ?? null, blockNumber: paid ? BigInt(paid.blockNumber) : null },
      });
      await tx.payout.updateMany({
        where: { chunkId },
        data: {
          status,
          txHash: paid?.txHash ?? null,
          blockNumber: paid ? BigInt(paid.blockNumber) : null,
          failureReason: reason?.slice(0, 500) ?? null,
        },
      });
      return c;
    });
    return resultOf(chunk);
  }

  const resultOf = (c: { id: string; status: string; payoutCount: number; total: { toFixed(): string } }): ChunkResult => ({
    chunkId: c.id,
    status: c.status as ChunkResult['status'],
    count: c.payoutCount,
    total: c.total.toFixed(),
  });

  /**
   * The chain decides: paid (by this or any earlier transaction) → CONFIRMED. Unpaid on the
   * confirmed chain: why, from our own record of the chunk's transaction — none or taken by a
   * foreign transaction (cancelled before sending), refused by the node, our no-op mined
   * (cancelled), reverted (failed). Anything else is not final yet and is looked at again.
   */
  async function settle(chunkId: string, outcome: SettleOutcome): Promise<ChunkResult> {
    const { contract } = await disbursementOf(chunkId);
    const verdict = outcome.kind === 'paid' ? { state: 'paid' as const, paid: outcome.paid } : await verdicts.chunk(contract, chunkId);
    if (verdict.state === 'paid') return finish(chunkId, 'CONFIRMED', verdict.paid);
    if (verdict.state === 'pending') throw new Error(`chunk ${chunkId} is paid in a block without enough confirmations yet`);
    const tx = await prisma.chainTransaction.findUnique({ where: { purpose: `chunk:${chunkId}` } });
    if (!tx || tx.status === 'DROPPED') return cancelUnsent(chunkId);
    if (tx.status !== 'MINED') throw new Error(`chunk ${chunkId}: its transaction ${tx.hash} is not mined yet`);
    if (tx.refusedReason) return finish(chunkId, 'FAILED', undefined, `TransactionRefused: ${tx.refusedReason}`);
    const mined = await prisma.chainTransactionVersion.findUnique({ where: { hash: tx.minedHash! } });
    if (mined?.kind === 'CANCEL') return finish(chunkId, 'CANCELLED', undefined, 'cancelled');
    if (!tx.succeeded) {
      const why = await verdicts.revertReason(tx.minedHash!);
      return finish(
        chunkId,
        'FAILED',
        undefined,
        `TransactionReverted: disbursement transaction ${tx.minedHash} reverted${why ? ` (${why})` : ''}`,
      );
    }
    // Our disbursement succeeded yet the confirmed chain does not show it: a reorg; look again later.
    throw new Error(
      `chunk ${chunkId}: transaction ${tx.minedHash} succeeded but the contract does not record the chunk at the confirmation depth`,
    );
  }

  /** CANCELLED when nothing of ours can pay it, decided under the lock prepare's fence takes. */
  async function cancelUnsent(chunkId: string): Promise<ChunkResult> {
    return prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM payout_chunks WHERE id = ${chunkId} FOR UPDATE`;
      const signed = await tx.chainTransaction.findUnique({ where: { purpose: `chunk:${chunkId}` }, select: { status: true } });
      if (signed && signed.status !== 'DROPPED') throw new Error(`chunk ${chunkId} was signed meanwhile; settling it from its transaction`);
      const c = await tx.payoutChunk.findUniqueOrThrow({ where: { id: chunkId } });
      if ((FINAL as readonly string[]).includes(c.status)) return resultOf(c);
      const cancelled = await tx.payoutChunk.update({
        where: { id: chunkId },
        data: { status: 'CANCELLED', txHash: null, blockNumber: null },
      });
      await tx.payout.updateMany({
        where: { chunkId },
        data: { status: 'CANCELLED', failureReason: 'cancelled before sending', txHash: null, blockNumber: null },
      });
      return resultOf(cancelled);
    });
  }

  return {
    async prepareChunkTx({ chunkId }: { chunkId: string }): Promise<Prepared> {
      const { chunk, contract, address } = await disbursementOf(chunkId);
      const verdict = await verdicts.chunk(contract, chunkId);
      if (verdict.state === 'paid') return { alreadyPaid: verdict.paid };
      if (verdict.state === 'pending') throw new Error(`chunk ${chunkId} is paid in a block without enough confirmations yet`);
      const { id } = await sender.prepare(
        `chunk:${chunkId}`,
        async () => {
          const payouts = await prisma.payout.findMany({
            where: { chunkId },
            orderBy: { chunkIndex: 'asc' },
            select: { seq: true, walletAddress: true, amount: true },
          });
          const data = encodeDisburse({
            batch: batchKey(chunk.batchId),
            chunkId,
            payouts: payouts.map((p) => ({ seq: p.seq!, to: p.walletAddress!, amount: BigInt(p.amount.toFixed()) })),
          });
          return { to: address, data, gasLimit: chunkGas(payouts.length) };
        },
        // Fenced: a chunk the batch already settled (cancelled before sending) is never signed.
        async (tx) => {
          const [row] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM payout_chunks WHERE id = ${chunkId} FOR UPDATE`;
          if (row && (FINAL as readonly string[]).includes(row.status))
            throw permanent(ErrorType.AlreadySettled, `chunk ${chunkId} is already ${row.status}`);
        },
      );
      // In-flight states live on the chunk (one transaction); payouts show them through it.
      await prisma.payoutChunk.updateMany({ where: { id: chunkId, status: 'PENDING' }, data: { status: 'SIGNED' } });
      return { txId: id };
    },

    async markChunkSubmitted({ chunkId }: { chunkId: string }): Promise<void> {
      await prisma.payoutChunk.updateMany({ where: { id: chunkId, status: { in: ['PENDING', 'SIGNED'] } }, data: { status: 'SUBMITTED' } });
    },

    /**
     * Records the outcome from what the disbursement contract recorded at the confirmation
     * depth, never from which of our hashes was mined: paid → CONFIRMED; else CANCELLED (our
     * no-op was mined, or nothing was sent) or FAILED with the reason (reverted, refused).
     */
    async settleChunk({ chunkId, outcome }: { chunkId: string; outcome: SettleOutcome }): Promise<ChunkResult> {
      faults.maybeCrash('crash-before-settle');
      return settle(chunkId, outcome);
    },

    /** The chunk's result when it is settled in the database, else null. */
    async chunkResult({ chunkId }: { chunkId: string }): Promise<ChunkResult | null> {
      const c = await prisma.payoutChunk.findUniqueOrThrow({ where: { id: chunkId } });
      return (FINAL as readonly string[]).includes(c.status) ? resultOf(c) : null;
    },

    /**
     * For a chunk whose workflow ended without settling it (failed, terminated): its transaction,
     * or, when none was ever signed, the chunk cancelled under the same lock prepare takes — so
     * a late prepare attempt cannot sign it afterwards.
     */
    async fenceChunk({ chunkId }: { chunkId: string }): Promise<{ txId: string } | { result: ChunkResult }> {
      const signed = await prisma.chainTransaction.findUnique({
        where: { purpose: `chunk:${chunkId}` },
        select: { id: true, status: true },
      });
      if (signed && signed.status !== 'DROPPED') return { txId: signed.id };
      try {
        return { result: await cancelUnsent(chunkId) };
      } catch {
        // Signed in the meantime by a late attempt: settle it from its transaction.
        const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { purpose: `chunk:${chunkId}` }, select: { id: true } });
        return { txId: row.id };
      }
    },
  };
}
