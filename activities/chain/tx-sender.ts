import { randomUUID } from 'node:crypto';
import { keccak256 } from 'ethers';
import type { Logger } from 'pino';
import { Prisma, type PrismaClient } from '../../common/db';
import type { Faults } from '../../common/faults';
import type { Chain } from './client';
import { classifyChainError } from './errors';
import { bumped, currentFees, isReplacement, type Fees } from './fees';
import { heartbeat } from './heartbeat';

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
  /** The mined version is our no-op (a cancellation or a refused transaction's stand-in). Informational: the chain's contracts decide "paid". */
  cancelled: boolean;
}

export type Broadcast = { refused?: string };
type Tx = Prisma.TransactionClient;
type VersionKind = 'ORIGINAL' | 'BUMP' | 'CANCEL';

export interface SenderDeps {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  faults: Faults;
  /** No fee is ever signed above this (TX_MAX_FEE_GWEI), in wei. */
  maxFeePerGas: bigint;
}

/**
 * Crash-safe sending for one key (`chain.wallet`): a nonce is allocated in Postgres in the
 * same transaction that stores the signed raw transaction and its hash, before anything is
 * broadcast, and every later version at that nonce (fee bump, cancellation) is stored before it
 * is broadcast. Rows are changed under row locks, so attempts running side by side (a retry
 * started while the first attempt still runs) never lose a nonce or a hash.
 */
export function createTxSender({ prisma, chain, logger, faults, maxFeePerGas: ceiling }: SenderDeps) {
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

  async function addVersion(tx: Tx, txId: string, nonce: number, kind: VersionKind, signed: { raw: string; hash: string }, fees: Fees) {
    await tx.chainTransactionVersion.create({
      data: {
        hash: signed.hash,
        txId,
        nonce,
        kind,
        rawTx: signed.raw,
        maxFeePerGas: fees.maxFeePerGas.toString(),
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
      },
    });
  }

  /** The row, locked for this transaction; refuses rows of another key. */
  async function lock(tx: Tx, where: { id: string } | { purpose: string }) {
    const rows =
      'id' in where
        ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM chain_transactions WHERE id = ${where.id}::uuid FOR UPDATE`
        : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM chain_transactions WHERE purpose = ${where.purpose} FOR UPDATE`;
    if (!rows[0]) return undefined;
    const row = await tx.chainTransaction.findUniqueOrThrow({ where: { id: rows[0].id } });
    if (row.fromAddress !== from || row.chainId !== chain.chainId) {
      throw new Error(`transaction ${row.id} belongs to ${row.fromAddress} on chain ${row.chainId}, not to this worker's key ${from}`);
    }
    return row;
  }

  const feesOf = (r: { maxFeePerGas: Prisma.Decimal; maxPriorityFeePerGas: Prisma.Decimal }): Fees => ({
    maxFeePerGas: BigInt(r.maxFeePerGas.toFixed()),
    maxPriorityFeePerGas: BigInt(r.maxPriorityFeePerGas.toFixed()),
  });

  /**
   * Idempotent by purpose: returns the stored transaction, or signs and stores a new one.
   * `guard` runs inside the same database transaction before a nonce is taken (e.g. "this chunk
   * is not settled yet"): it fences signing against a concurrent decision that nothing will be sent.
   */
  async function prepare(
    purpose: string,
    build: () => Promise<TxRequest>,
    guard?: (tx: Tx) => Promise<void>,
  ): Promise<{ id: string; hash: string }> {
    const existing = await prisma.chainTransaction.findUnique({ where: { purpose } });
    if (existing && existing.status !== 'DROPPED') return { id: existing.id, hash: existing.hash };
    const req = await build();
    const fees = await currentFees(chain.provider, ceiling);
    // The chain's count: a nonce this key used outside the engine is taken, never reused.
    const chainNonce = await chain.provider.getTransactionCount(from, 'pending');
    heartbeat();
    try {
      const row = await prisma.$transaction(async (tx) => {
        const locked = await lock(tx, { purpose });
        if (locked && locked.status !== 'DROPPED') return locked;
        await guard?.(tx);
        await tx.$executeRaw`INSERT INTO signer_nonces (chain_id, address, next_nonce) VALUES (${chain.chainId}, ${from}, ${chainNonce})
                             ON CONFLICT DO NOTHING`;
        const [{ nonce }] = await tx.$queryRaw<{ nonce: number }[]>`UPDATE signer_nonces
          SET next_nonce = GREATEST(next_nonce, ${chainNonce}) + 1
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
          status: 'SIGNED' as const,
          refusedReason: null,
          broadcastAt: null,
        };
        // A DROPPED row (its nonce was consumed by a foreign transaction) is re-signed in place.
        const saved = locked
          ? await tx.chainTransaction.update({ where: { id: locked.id }, data })
          : await tx.chainTransaction.create({ data: { id: randomUUID(), purpose, ...data } });
        await addVersion(tx, saved.id, nonce, 'ORIGINAL', signed, fees);
        return saved;
      });
      logger.info({ purpose, txId: row.id, nonce: row.nonce, hash: row.hash }, 'transaction signed and stored');
      faults.maybeCrash('crash-after-sign');
      return { id: row.id, hash: row.hash };
    } catch (err) {
      // Another attempt created the row first; its nonce allocation committed, ours rolled back.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { purpose } });
        return { id: row.id, hash: row.hash };
      }
      throw err;
    }
  }

  async function broadcastRaw(raw: string): Promise<void> {
    try {
      await chain.provider.send('eth_sendRawTransaction', [raw]);
    } catch (err) {
      const kind = classifyChainError(err).kind;
      // The node has it (or a higher-priced version of ours), or it was mined: the receipt lookup decides.
      if (kind === 'already-known' || kind === 'nonce-too-low' || kind === 'replacement-underpriced') return;
      throw err;
    }
  }

  /**
   * (Re)broadcasts the current version; harmless when the node already has it. A transaction
   * the node refuses for good is replaced by a no-op at its nonce (so later nonces go on) and
   * reported as refused; one priced under the node's floor is re-priced at once.
   */
  async function broadcast(txId: string): Promise<Broadcast> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
    if (row.status === 'MINED' || row.status === 'DROPPED') return { refused: row.refusedReason ?? undefined };
    try {
      await broadcastRaw(row.rawTx);
    } catch (err) {
      const c = classifyChainError(err);
      if (c.kind === 'refused') {
        await refuse(txId, c.reason ?? c.message);
        return { refused: c.reason ?? c.message };
      }
      if (c.kind === 'fee-too-low') {
        logger.warn({ txId, reason: c.reason }, 'the node wants higher fees; re-pricing now');
        await replace(txId, 'bump');
        return {};
      }
      throw err;
    }
    if (row.status === 'SIGNED') {
      await prisma.chainTransaction.updateMany({
        where: { id: txId, status: 'SIGNED' },
        data: { status: 'BROADCAST', broadcastAt: new Date() },
      });
    }
    faults.maybeCrash('crash-after-broadcast');
    return { refused: row.refusedReason ?? undefined };
  }

  /** Frees the nonce of a transaction the node will never take: a no-op takes its place. */
  async function refuse(txId: string, reason: string): Promise<void> {
    const signed = await prisma.$transaction(async (tx) => {
      const row = await lock(tx, { id: txId });
      if (!row || row.status === 'MINED' || row.status === 'DROPPED') return undefined;
      if (row.refusedReason) return { raw: row.rawTx };
      const fees = await currentFees(chain.provider, ceiling);
      const noop = await sign(noopRequest(), row.nonce, fees);
      await addVersion(tx, row.id, row.nonce, 'CANCEL', noop, fees);
      await tx.chainTransaction.update({
        where: { id: row.id },
        data: {
          ...noopColumns(),
          rawTx: noop.raw,
          hash: noop.hash,
          refusedReason: reason.slice(0, 500),
          status: 'BROADCAST',
          broadcastAt: new Date(),
          ...feeColumns(fees),
        },
      });
      return { raw: noop.raw };
    });
    if (!signed) return;
    logger.error({ txId, reason }, 'the node refused the transaction for good; a no-op frees its nonce');
    await broadcastRaw(signed.raw);
  }

  const noopRequest = (): TxRequest => ({ to: from, data: '0x', gasLimit: 21_000n, value: 0n });
  const noopColumns = () => ({ toAddress: from, data: '0x', gasLimit: 21_000n, value: '0' });
  const feeColumns = (fees: Fees) => ({
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
  });

  /**
   * One look at the chain: mined (with N confirmations, in a block still on the chain), dropped
   * (the account's nonce at the confirmation depth has passed ours and none of our versions has
   * a receipt), or still pending.
   */
  async function poll(txId: string, confirmations: number): Promise<Mined | 'pending' | 'dropped'> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
    if (row.status === 'MINED') return minedOf(row);
    if (row.status === 'DROPPED') return 'dropped';
    const versions = await prisma.chainTransactionVersion.findMany({ where: { txId, nonce: row.nonce }, orderBy: { createdAt: 'asc' } });
    const head = await chain.provider.getBlockNumber();
    const first = await findMined(txId, versions, head, confirmations);
    if (first) return first;
    // None of ours is mined. Read the account's nonce at the confirmation depth, then look at the
    // receipts again: if it had passed ours, one of our versions has a receipt by now, or a foreign
    // transaction took the nonce.
    const nonceAtDepth = await chain.provider.getTransactionCount(from, Math.max(0, head - confirmations + 1));
    if (nonceAtDepth <= row.nonce) return 'pending';
    const second = await findMined(txId, versions, await chain.provider.getBlockNumber(), confirmations);
    if (second) return second;
    const dropped = await prisma.chainTransaction.updateMany({
      where: { id: txId, status: { in: ['SIGNED', 'BROADCAST'] } },
      data: { status: 'DROPPED' },
    });
    if (dropped.count) logger.warn({ txId, nonce: row.nonce }, 'nonce consumed by another transaction; ours can never be mined');
    return 'dropped';
  }

  /** The version with a receipt, once it has N confirmations in a block still on the chain ('pending' before). */
  async function findMined(
    txId: string,
    versions: { hash: string }[],
    head: number,
    confirmations: number,
  ): Promise<Mined | 'pending' | undefined> {
    for (const v of versions) {
      const receipt = await chain.provider.getTransactionReceipt(v.hash);
      if (!receipt) continue;
      if (head - receipt.blockNumber + 1 < confirmations) return 'pending';
      // A receipt of a block a reorg replaced is not mined.
      const block = await chain.provider.getBlock(receipt.blockNumber);
      if (block?.hash !== receipt.blockHash) return 'pending';
      const updated = await prisma.chainTransaction.updateMany({
        where: { id: txId, status: { in: ['SIGNED', 'BROADCAST'] } },
        data: {
          status: 'MINED',
          minedHash: v.hash,
          blockNumber: BigInt(receipt.blockNumber),
          blockHash: receipt.blockHash,
          succeeded: receipt.status === 1,
          gasUsed: receipt.gasUsed,
        },
      });
      if (updated.count) faults.maybeCrash('crash-after-mined');
      return minedOf(await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } }));
    }
    return undefined;
  }

  async function minedOf(row: {
    id: string;
    minedHash: string | null;
    blockNumber: bigint | null;
    succeeded: boolean | null;
    gasUsed: bigint | null;
  }): Promise<Mined> {
    const version = row.minedHash ? await prisma.chainTransactionVersion.findUnique({ where: { hash: row.minedHash } }) : null;
    return {
      hash: row.minedHash!,
      blockNumber: Number(row.blockNumber),
      succeeded: row.succeeded!,
      gasUsed: row.gasUsed ?? 0n,
      cancelled: version?.kind === 'CANCEL',
    };
  }

  /**
   * Replaces the pending transaction at its nonce with higher fees: the same call (`bump`; a
   * cancelled one stays a no-op), or a no-op (`cancel`). Never above the fee ceiling: at the
   * ceiling there is no valid replacement and nothing is signed. Returns whether it signed one.
   */
  async function replace(txId: string, mode: 'bump' | 'cancel', minAgeMs = 0): Promise<boolean> {
    const floor = await currentFees(chain.provider, ceiling);
    const signed = await prisma.$transaction(async (tx) => {
      const row = await lock(tx, { id: txId });
      if (!row || row.status === 'MINED' || row.status === 'DROPPED') return undefined;
      // Checked under the lock: of several waiters nudging one stuck nonce, one bumps it.
      if (minAgeMs && Date.now() - (row.broadcastAt ?? row.createdAt).getTime() < minAgeMs) return undefined;
      const current = feesOf(row);
      const fees = bumped(current, floor, ceiling);
      if (!isReplacement(current, fees)) {
        logger.warn({ txId, nonce: row.nonce, maxFeePerGas: current.maxFeePerGas.toString() }, 'at the fee ceiling: not replaced');
        return undefined;
      }
      const cancel = mode === 'cancel' || row.data === '0x';
      const req = cancel
        ? noopRequest()
        : { to: row.toAddress || null, data: row.data, gasLimit: row.gasLimit, value: BigInt(row.value.toFixed()) };
      const next = await sign(req, row.nonce, fees);
      // Persisted before broadcast, like the original: a crash here leaves a hash we will look up.
      await addVersion(tx, row.id, row.nonce, cancel ? 'CANCEL' : 'BUMP', next, fees);
      await tx.chainTransaction.update({
        where: { id: row.id },
        data: { rawTx: next.raw, hash: next.hash, broadcastAt: new Date(), ...feeColumns(fees), ...(cancel ? noopColumns() : {}) },
      });
      return { raw: next.raw, hash: next.hash, nonce: row.nonce };
    });
    if (!signed) return false;
    logger.warn({ txId, nonce: signed.nonce, hash: signed.hash, mode }, 'transaction replaced at the same nonce');
    await broadcastRaw(signed.raw);
    return true;
  }

  /** The account's next nonce to be mined, as the chain sees it now. */
  const minedNonce = () => chain.provider.getTransactionCount(from, 'latest');

  /**
   * Unblocks the nonces below `nonce`: rebroadcasts stored transactions the chain has not seen
   * (a workflow that stopped before broadcasting), sends again what a reorg took off the chain,
   * and puts a no-op at any nonce that was allocated but has no transaction (it would block every
   * later one forever). `staleMs`: rebroadcast only what was last sent longer ago than that.
   */
  async function fillBelow(nonce: number, staleMs = 0): Promise<number> {
    const accountNonce = await minedNonce();
    if (accountNonce >= nonce) return 0;
    const rows = await prisma.chainTransaction.findMany({
      where: { chainId: chain.chainId, fromAddress: from, nonce: { gte: accountNonce, lt: nonce } },
      orderBy: { nonce: 'asc' },
      select: { id: true, nonce: true, rawTx: true, status: true, minedHash: true, broadcastAt: true, createdAt: true },
    });
    const stale = (r: { broadcastAt: Date | null; createdAt: Date }) => Date.now() - (r.broadcastAt ?? r.createdAt).getTime() >= staleMs;
    for (const r of rows) {
      if ((r.status === 'SIGNED' || r.status === 'BROADCAST') && stale(r)) await broadcastRaw(r.rawTx);
      // Recorded as mined, yet the chain's nonce says otherwise: a reorg took it off the chain.
      else if (r.status === 'MINED' && r.minedHash) await resend(r.id, r.minedHash);
    }
    const taken = new Set(rows.map((r) => r.nonce));
    const holes = Array.from({ length: nonce - accountNonce }, (_, i) => accountNonce + i).filter((n) => !taken.has(n));
    for (const hole of holes) await fillHole(hole);
    if (holes.length) logger.warn({ holes }, 'filled nonces that had no transaction');
    return holes.length;
  }

  /** Sends again exactly the version that was mined, after a reorg dropped it. */
  async function resend(txId: string, minedHash: string): Promise<void> {
    const v = await prisma.chainTransactionVersion.findUniqueOrThrow({ where: { hash: minedHash } });
    await prisma.chainTransaction.updateMany({ where: { id: txId, reorgedAt: null }, data: { reorgedAt: new Date() } });
    logger.warn({ txId, hash: minedHash }, 'a reorg dropped a mined transaction; sending the same signed version again');
    await broadcastRaw(v.rawTx);
  }

  /** A no-op at a nonce that has no transaction (stored first, like any other). */
  async function fillHole(nonce: number): Promise<void> {
    const purpose = `nonce-gap:${chain.chainId}:${from}:${nonce}`;
    const fees = await currentFees(chain.provider, ceiling);
    const signed = await sign(noopRequest(), nonce, fees);
    try {
      await prisma.$transaction(async (tx) => {
        const id = randomUUID();
        await tx.chainTransaction.create({
          data: {
            id,
            purpose,
            chainId: chain.chainId,
            fromAddress: from,
            nonce,
            ...noopColumns(),
            rawTx: signed.raw,
            hash: signed.hash,
            status: 'BROADCAST',
            broadcastAt: new Date(),
            ...feeColumns(fees),
          },
        });
        await addVersion(tx, id, nonce, 'CANCEL', signed, fees);
      });
    } catch (err) {
      // Filled by another worker at the same moment, or a row appeared at that nonce after all.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return;
      throw err;
    }
    logger.error({ nonce }, 'nonce had no transaction; filled with a no-op');
    await broadcastRaw(signed.raw);
  }

  /**
   * Bumps the lowest unmined nonce of this key when it has waited past `stuckMs`: only it can be
   * holding the others back, whoever sent it (its own workflow may be gone).
   */
  async function nudgeLowest(stuckMs: number): Promise<void> {
    const lowest = await prisma.chainTransaction.findFirst({
      where: { chainId: chain.chainId, fromAddress: from, status: { in: ['SIGNED', 'BROADCAST'] }, nonce: { gte: await minedNonce() } },
      orderBy: { nonce: 'asc' },
      select: { id: true },
    });
    if (lowest) await replace(lowest.id, 'bump', stuckMs);
  }

  /** When the current version of the transaction was last sent. */
  async function sentAt(txId: string): Promise<{ at: Date; nonce: number }> {
    const row = await prisma.chainTransaction.findUniqueOrThrow({
      where: { id: txId },
      select: { broadcastAt: true, createdAt: true, nonce: true },
    });
    return { at: row.broadcastAt ?? row.createdAt, nonce: row.nonce };
  }

  return {
    address: from,
    prepare,
    broadcast,
    poll,
    replace,
    sentAt,
    fillBelow,
    nudgeLowest,
    minedNonce,
    resend,
  };
}

export type TxSender = ReturnType<typeof createTxSender>;
