import type { Log } from 'ethers';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import type { ActivityDeps } from '../deps';
import type { Paid, Prepared } from './single';

export interface ChunkResult {
  chunkId: string;
  status: 'CONFIRMED' | 'FAILED' | 'CANCELLED';
  count: number;
  total: string;
}

// Measured ~28k gas per payout to a fresh address; the margin covers warm/cold variations.
const gasFor = (n: number) => BigInt(80_000 + 40_000 * n);

/** One disbursement transaction paying the payouts of one chunk. */
export function chunkActivities({ prisma, chain, faults }: ActivityDeps, sender: TxSender) {
  async function disbursementOf(chunkId: string) {
    const chunk = await prisma.payoutChunk.findUniqueOrThrow({ where: { id: chunkId } });
    const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: chunk.batchId } });
    const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: batch.projectId } });
    return { chunk, contract: chain.disbursement(d.address), address: d.address };
  }

  /** The transaction that paid the chunk, if the chain says it is paid. */
  async function findChunkPayment(chunkId: string): Promise<Paid | undefined> {
    const { contract } = await disbursementOf(chunkId);
    if (!(await contract.getFunction('chunkPaid')(chunkId))) return undefined;
    const logs = (await contract.queryFilter(contract.filters.ChunkPaid!(chunkId), 0)) as Log[];
    if (!logs[0]) throw new Error(`chunk ${chunkId} is paid but its ChunkPaid event is not visible yet`);
    return { txHash: logs[0].transactionHash, blockNumber: logs[0].blockNumber };
  }

  async function finish(chunkId: string, status: ChunkResult['status'], paid?: Paid, reason?: string): Promise<ChunkResult> {
    const chunk = await prisma.$transaction(async (tx) => {
      const c = await tx.payoutChunk.update({
        where: { id: chunkId },
        data: { status, txHash: paid?.txHash, blockNumber: paid ? BigInt(paid.blockNumber) : undefined },
      });
      await tx.payout.updateMany({
        where: { chunkId, status: { notIn: ['CONFIRMED'] } },
        data: { status, txHash: paid?.txHash ?? null, blockNumber: paid ? BigInt(paid.blockNumber) : null, failureReason: reason ?? null },
      });
      return c;
    });
    return { chunkId, status, count: chunk.payoutCount, total: chunk.total.toFixed() };
  }

  return {
    async prepareChunkTx({ chunkId }: { chunkId: string }): Promise<Prepared> {
      const paid = await findChunkPayment(chunkId);
      if (paid) return { alreadyPaid: paid };
      const { contract, address } = await disbursementOf(chunkId);
      const { id } = await sender.prepare(`chunk:${chunkId}`, async () => {
        const payouts = await prisma.payout.findMany({
          where: { chunkId },
          orderBy: { chunkIndex: 'asc' },
          select: { walletAddress: true, amount: true },
        });
        const to = payouts.map((p) => p.walletAddress!);
        const amounts = payouts.map((p) => BigInt(p.amount.toFixed()));
        return {
          to: address,
          data: contract.interface.encodeFunctionData('disburse', [chunkId, to, amounts]),
          gasLimit: gasFor(to.length),
        };
      });
      // In-flight states live on the chunk (one transaction); payouts show them through it.
      await prisma.payoutChunk.updateMany({ where: { id: chunkId, status: 'PENDING' }, data: { status: 'SIGNED' } });
      return { txId: id };
    },

    async markChunkSubmitted({ chunkId }: { chunkId: string }): Promise<void> {
      await prisma.payoutChunk.updateMany({ where: { id: chunkId, status: { in: ['PENDING', 'SIGNED'] } }, data: { status: 'SUBMITTED' } });
    },

    /**
     * Records the outcome. The on-chain guard decides: paid (by this or any earlier
     * transaction) → CONFIRMED; our cancellation mined → CANCELLED; reverted → FAILED.
     */
    async settleChunk(args: SettleArgs): Promise<ChunkResult> {
      faults.maybeCrash('crash-before-settle');
      return settle(args);
    },
  };

  type SettleArgs = { chunkId: string; outcome: TxOutcome | { kind: 'paid'; paid: Paid } | { kind: 'not-sent' } };

  async function settle({ chunkId, outcome }: SettleArgs): Promise<ChunkResult> {
    if (outcome.kind === 'paid') return finish(chunkId, 'CONFIRMED', outcome.paid);
    if (outcome.kind === 'mined' && outcome.succeeded && !outcome.cancelled) {
      return finish(chunkId, 'CONFIRMED', { txHash: outcome.hash, blockNumber: outcome.blockNumber });
    }
    const earlier = await findChunkPayment(chunkId);
    if (earlier) return finish(chunkId, 'CONFIRMED', earlier);
    if (outcome.kind === 'not-sent' || (outcome.kind === 'mined' && outcome.cancelled))
      return finish(chunkId, 'CANCELLED', undefined, 'cancelled');
    const hash = outcome.kind === 'mined' ? outcome.hash : 'unknown';
    return finish(chunkId, 'FAILED', undefined, `TransactionReverted: disbursement transaction ${hash} reverted`);
  }
}
