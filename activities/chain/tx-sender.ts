import { randomUUID } from 'node:crypto';
import { keccak256 } from 'ethers';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../common/db';
import type { Faults } from '../../common/faults';
import type { Chain } from './client';
import { classifyChainError } from './errors';
import { bumped, currentFees, type Fees } from './fees';

export interface TxRequest {
  /** null deploys a contract. */
  to: string | null;
  data: string;
  gasLimit: bigint;
  value?: bigint;
}

export interface Mined {
  hash: string;
  blockNumber: number;
  succeeded: boolean;
  gasUsed: bigint;
  /** True when the mined transaction is our cancellation (a 0-value self-send), not the original. */
  cancelled: boolean;
}

type Deps = { prisma: PrismaClient; chain: Chain; logger: Logger; faults: Faults };

/**
 * Crash-safe sending: a nonce is allocated in Postgres in the same transaction that stores
 * the signed raw transaction and its hash, before anything is broadcast. Every later step
 * (rebroadcast, fee bump, cancellation, receipt lookup) works from that row, so a retry never
 * signs a second transaction for the same purpose at a different nonce unless the first
 * provably can no longer be mined.
 */
export function createTxSender({ prisma, chain, logger, faults }: Deps) {
  const from = chain.signerAddress;

  async function sign(req: TxRequest, nonce: number, fees: Fees): Promise<{ raw: string; hash: string }> {
    const raw = await chain.wallet.signTransaction({
      type: 2,
      chainId: chain.chainId,
      nonce,
      to: req.to,
      data: req.data,
      value: req.value ?? 0n,
      gasLimit: req.gasLimit,
      ...fees,
    });
    return { raw, hash: keccak256(raw) };
  }

  /** Idempotent by purpose: returns the stored transaction, or signs and stores a new one. */
  async function prepare(purpose: string, build: () => Promise<TxRequest>): Promise<{ id: string; hash: string }> {
    const existing = await prisma.chainTransaction.findUnique({ where: { purpose } });
    if (existing && existing.status !== 'DROPPED') return { id: existing.id, hash: existing.hash };
    const req = await build();
    const fees = await currentFees(chain.provider);
    const chainNonce = await chain.provider.getTransactionCount(from, 'pending');
    const row = await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO signer_nonces (chain_id, address, next_nonce) VALUES (${chain.chainId}, ${from}, ${chainNonce})
                           ON CONFLICT DO NOTHING`;
      const [{ nonce }] = await tx.$queryRaw<{ nonce: number }[]>`UPDATE signer_nonces SET next_nonce = next_nonce + 1
        WHERE chain_id = ${chain.chainId} AND address = ${from} RETURNING next_nonce - 1 AS nonce`;
      const signed = await sign(req, nonce, fees);
      const data = {
        chainId: chain.chainId,
        fromAddress: from,
        nonce,
        toAddress: req.to ?? '',
        data: req.data,
        value: (req.value ?? 0n).toString(),
        gasLimit: req.gasLimit,
        maxFeePerGas: fees.maxFeePerGas.toString(),
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
        rawTx: signed.raw,
        hash: signed.hash,
        hashes: [signed.hash],
        status: 'SIGNED' as const,
        cancelHash: null,
        broadcastAt: null,
      };
      // A DROPPED row (its nonce was consumed by a foreign transaction) is re-signed in place.
      return existing
        ? tx.chainTransaction.update({ where: { id: existing.id }, data: { ...data, hashes: [...existing.hashes, signed.hash] } })
        : tx.chainTransaction.create({ data: { id: randomUUID(), purpose, ...data } });
    });
    logger.info({ purpose, txId: row.id, nonce: row.nonce, hash: row.hash }, 'transaction signed and stored');
    faults.maybeCrash('crash-after-sign');
    return { id: row.id, hash: row.hash };
  }

  async function broadcastRaw(raw: string): Promise<void> {
    try {
      await chain.provider.send('eth_sendRawTransaction', [raw]);
    } catch (err) {
      const text = `${(err as Error).message} ${JSON.stringify((err as { error?: unknown }).error ?? '')}`.toLowerCase();
      // The node has it already, or it was mined (nonce used): the receipt lookup decides.
      if (text.includes('already known') || text.includes('already imported') || classifyChainError(err).kind === 'nonce-too-low') return;
      throw err;
    }
  }

  /** (Re)broadcasts the stored raw transaction; harmless when the node already has it. */
  async function broadcast(txId: string): Promise<void> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
    if (row.status === 'MINED') return;
    await broadcastRaw(row.rawTx);
    if (row.status === 'SIGNED') {
      await prisma.chainTransaction.update({ where: { id: txId }, data: { status: 'BROADCAST', broadcastAt: new Date() } });
    }
    faults.maybeCrash('crash-after-broadcast');
  }

  /** One look at the chain: mined (with N confirmations), dropped, or still pending. */
  async function poll(txId: string, confirmations: number): Promise<Mined | 'pending' | 'dropped'> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
    if (row.status === 'MINED') {
      return {
        hash: row.minedHash!,
        blockNumber: Number(row.blockNumber),
        succeeded: row.succeeded!,
        gasUsed: row.gasUsed ?? 0n,
        cancelled: row.minedHash === row.cancelHash,
      };
    }
    // Read the account nonce before the receipts: once it has passed ours, one of our hashes
    // has a receipt or a foreign transaction took the nonce.
    const accountNonce = await chain.provider.getTransactionCount(from, 'latest');
    for (const hash of row.hashes) {
      const receipt = await chain.provider.getTransactionReceipt(hash);
      if (!receipt) continue;
      const head = await chain.provider.getBlockNumber();
      if (head - receipt.blockNumber + 1 < confirmations) return 'pending';
      const mined = {
        hash,
        blockNumber: receipt.blockNumber,
        succeeded: receipt.status === 1,
        gasUsed: receipt.gasUsed,
        cancelled: hash === row.cancelHash,
      };
      await prisma.chainTransaction.update({
        where: { id: txId },
        data: {
          status: 'MINED',
          minedHash: hash,
          blockNumber: BigInt(mined.blockNumber),
          succeeded: mined.succeeded,
          gasUsed: mined.gasUsed,
        },
      });
      faults.maybeCrash('crash-after-mined');
      return mined;
    }
    if (accountNonce > row.nonce) {
      await prisma.chainTransaction.update({ where: { id: txId }, data: { status: 'DROPPED' } });
      logger.warn({ txId, nonce: row.nonce }, 'nonce consumed by another transaction; ours can never be mined');
      return 'dropped';
    }
    return 'pending';
  }

  /** Replaces the pending transaction at the same nonce with higher fees (same call, or a no-op cancel). */
  async function replace(txId: string, mode: 'bump' | 'cancel'): Promise<void> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
    if (row.status === 'MINED' || row.status === 'DROPPED') return;
    const fees = bumped(
      { maxFeePerGas: BigInt(row.maxFeePerGas.toFixed()), maxPriorityFeePerGas: BigInt(row.maxPriorityFeePerGas.toFixed()) },
      await currentFees(chain.provider),
    );
    const req: TxRequest =
      mode === 'cancel'
        ? { to: from, data: '0x', gasLimit: 21_000n, value: 0n }
        : { to: row.toAddress || null, data: row.data, gasLimit: row.gasLimit, value: BigInt(row.value.toFixed()) };
    const signed = await sign(req, row.nonce, fees);
    // Persist before broadcast, like the original: a crash here leaves a hash we will look up.
    await prisma.chainTransaction.update({
      where: { id: txId },
      data: {
        rawTx: signed.raw,
        hash: signed.hash,
        hashes: [...row.hashes, signed.hash],
        maxFeePerGas: fees.maxFeePerGas.toString(),
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
        broadcastAt: new Date(),
        ...(mode === 'cancel' ? { cancelHash: signed.hash, toAddress: from, data: '0x', gasLimit: 21_000n, value: '0' } : {}),
      },
    });
    logger.warn({ txId, nonce: row.nonce, hash: signed.hash, mode }, 'transaction replaced at the same nonce');
    await broadcastRaw(signed.raw);
  }

  /**
   * Rebroadcasts our stored transactions below `txId`'s nonce that the chain has not seen: a
   * signed transaction whose workflow stopped before broadcasting it would otherwise block
   * every later nonce. Each one is what its own workflow meant to send; that workflow (or
   * reconciliation) records the outcome.
   */
  async function fillGaps(txId: string): Promise<number> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
    const accountNonce = await chain.provider.getTransactionCount(from, 'latest');
    if (accountNonce >= row.nonce) return 0;
    const missing = await prisma.chainTransaction.findMany({
      where: {
        chainId: chain.chainId,
        fromAddress: from,
        nonce: { gte: accountNonce, lt: row.nonce },
        status: { in: ['SIGNED', 'BROADCAST'] },
      },
      orderBy: { nonce: 'asc' },
    });
    for (const m of missing) await broadcastRaw(m.rawTx);
    if (missing.length) logger.warn({ txId, nonces: missing.map((m) => m.nonce) }, 'rebroadcast earlier transactions blocking this nonce');
    return missing.length;
  }

  /** When the current version of the transaction was last sent. */
  async function sentAt(txId: string): Promise<Date> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId }, select: { broadcastAt: true, createdAt: true } });
    return row.broadcastAt ?? row.createdAt;
  }

  return { prepare, broadcast, poll, replace, sentAt, fillGaps };
}

export type TxSender = ReturnType<typeof createTxSender>;
