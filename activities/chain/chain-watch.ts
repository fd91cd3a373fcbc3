import type { TransactionReceipt } from 'ethers';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../common/db';
import type { Chain } from './client';
import { heartbeat } from './heartbeat';
import type { TxSender } from './tx-sender';

/** How far back mined transactions are re-checked for reorgs (Ethereum finalizes in ~64 blocks). */
export const REORG_HORIZON_BLOCKS = 64;

export interface WatchRound {
  /** Mined transactions a reorg took off the chain, sent again as they were. */
  resent: number;
  /** Transactions back on the chain after a reorg, recorded in their new block. */
  moved: number;
  /** Outcomes that changed on re-inclusion (a reorged-out payment that reverted when mined again). */
  changed: number;
}

/**
 * The watch of one key: keeps what the database records as mined true to the chain after
 * reorgs, and unblocks the key's nonces (holes, stale rebroadcasts, the lowest stuck one)
 * even when the workflows that sent them are gone.
 */
export function chainWatchActivities(
  { prisma, chain, logger }: { prisma: PrismaClient; chain: Chain; logger: Logger },
  sender: TxSender,
  opts: { stuckAfterMs: number },
) {
  const canonical = async (receipt: TransactionReceipt | null) =>
    !!receipt && (await chain.provider.getBlock(receipt.blockNumber))?.hash === receipt.blockHash;

  /** Records where a reorged transaction landed again, on its own row and on what it paid. */
  async function reincluded(
    row: { id: string; purpose: string; minedHash: string | null; succeeded: boolean | null },
    receipt: TransactionReceipt,
  ) {
    const succeeded = receipt.status === 1;
    const block = BigInt(receipt.blockNumber);
    await prisma.$transaction(async (tx) => {
      await tx.chainTransaction.update({
        where: { id: row.id },
        data: { blockNumber: block, blockHash: receipt.blockHash, succeeded, gasUsed: receipt.gasUsed, reorgedAt: null },
      });
      await tx.payout.updateMany({ where: { txHash: row.minedHash }, data: { blockNumber: block } });
      await tx.payoutChunk.updateMany({ where: { txHash: row.minedHash }, data: { blockNumber: block } });
      await tx.treasuryOperation.updateMany({ where: { txHash: row.minedHash }, data: { blockNumber: block } });
      if (succeeded || row.succeeded === false) return;
      // It paid before the reorg and does not now: what it paid is unpaid again, and says why.
      const reason = `ReorgedOut: transaction ${row.minedHash} was dropped by a reorg and reverted when mined again`;
      await tx.payout.updateMany({
        where: { txHash: row.minedHash },
        data: { status: 'FAILED', failureReason: reason, txHash: null, blockNumber: null },
      });
      await tx.payoutChunk.updateMany({ where: { txHash: row.minedHash }, data: { status: 'FAILED', txHash: null, blockNumber: null } });
      await tx.treasuryOperation.updateMany({ where: { txHash: row.minedHash }, data: { status: 'FAILED', failureReason: reason } });
    });
    if (!succeeded && row.succeeded !== false)
      logger.error({ txId: row.id, purpose: row.purpose, hash: row.minedHash }, 'a reorged transaction reverted when mined again');
    return !succeeded && row.succeeded !== false;
  }

  return {
    async watchSigner(): Promise<WatchRound> {
      const round: WatchRound = { resent: 0, moved: 0, changed: 0 };
      const head = await chain.provider.getBlockNumber();
      const rows = await prisma.chainTransaction.findMany({
        where: {
          chainId: chain.chainId,
          fromAddress: sender.address,
          status: 'MINED',
          OR: [{ blockNumber: { gte: BigInt(Math.max(0, head - REORG_HORIZON_BLOCKS)) } }, { reorgedAt: { not: null } }],
        },
        orderBy: { nonce: 'asc' },
      });
      const hashes = new Map<number, string | undefined>();
      for (const row of rows) {
        heartbeat();
        const n = Number(row.blockNumber);
        if (!hashes.has(n)) hashes.set(n, (await chain.provider.getBlock(n))?.hash ?? undefined);
        if (!row.reorgedAt && hashes.get(n) === row.blockHash) continue;
        const receipt = await chain.provider.getTransactionReceipt(row.minedHash!);
        if (await canonical(receipt)) {
          round.moved++;
          if (await reincluded(row, receipt!)) round.changed++;
        } else {
          // In nonce order, so a re-sent payment follows the funding it needs.
          await sender.resend(row.id, row.minedHash!);
          round.resent++;
        }
      }
      const next = await prisma.signerNonce.findUnique({ where: { chainId_address: { chainId: chain.chainId, address: sender.address } } });
      if (next) await sender.fillBelow(next.nextNonce, opts.stuckAfterMs);
      await sender.nudgeLowest(2 * opts.stuckAfterMs);
      if (round.resent || round.moved) logger.warn({ ...round, signer: sender.address }, 'reorg healed');
      return round;
    },
  };
}
