import type { JsonRpcProvider } from 'ethers';
import type { PrismaClient } from '../common/db';

export interface SignerHealth {
  status: 'up' | 'degraded';
  address: string;
  /** The account's nonce on chain (transactions mined) and in the node's pool. */
  chainNonce: number;
  pendingNonce: number;
  /** The next nonce the engine will allocate. */
  nextNonce: number;
  /** Signed transactions not mined yet, and how long the oldest has waited. */
  unmined: number;
  oldestUnminedSeconds: number;
  /** Allocated nonces with no transaction: each blocks every later one until filled. */
  missingNonces: number[];
  /** The chain's nonce is behind a transaction the database recorded as mined. */
  chainBehind: boolean;
  reason?: string;
}

/**
 * A signer as on-call needs to see it: gaps in its nonces, the age of its oldest unmined
 * transaction, and a chain that forgot what it mined. Degraded (not down): payouts wait, the
 * API still serves.
 */
export async function signerHealth(
  prisma: PrismaClient,
  provider: JsonRpcProvider,
  chainId: number,
  address: string,
  stuckAfterMs: number,
): Promise<SignerHealth> {
  const [chainNonce, pendingNonce, row] = await Promise.all([
    provider.getTransactionCount(address, 'latest'),
    provider.getTransactionCount(address, 'pending'),
    prisma.signerNonce.findUnique({ where: { chainId_address: { chainId, address } } }),
  ]);
  const nextNonce = row?.nextNonce ?? chainNonce;
  const [agg] = await prisma.$queryRaw<{ unmined: number; oldest: Date | null; mined: number | null }[]>`
    SELECT count(*) FILTER (WHERE status IN ('SIGNED', 'BROADCAST'))::int AS unmined,
           min(coalesce(broadcast_at, created_at)) FILTER (WHERE status IN ('SIGNED', 'BROADCAST')) AS oldest,
           max(nonce) FILTER (WHERE status = 'MINED' AND reorged_at IS NULL) AS mined
    FROM chain_transactions WHERE chain_id = ${chainId} AND from_address = ${address}`;
  const taken = await prisma.chainTransaction.findMany({
    where: { chainId, fromAddress: address, nonce: { gte: chainNonce, lt: nextNonce } },
    select: { nonce: true },
  });
  const have = new Set(taken.map((t) => t.nonce));
  const missingNonces: number[] = [];
  for (let n = chainNonce; n < nextNonce && missingNonces.length < 20; n++) if (!have.has(n)) missingNonces.push(n);
  const oldestUnminedSeconds = agg?.oldest ? Math.round((Date.now() - agg.oldest.getTime()) / 1000) : 0;
  const chainBehind = agg?.mined !== null && agg?.mined !== undefined && chainNonce <= agg.mined;
  const reasons = [
    missingNonces.length ? `nonces ${missingNonces.join(', ')} have no transaction` : '',
    chainBehind ? `the chain's nonce ${chainNonce} is behind nonce ${agg!.mined}, recorded as mined` : '',
    oldestUnminedSeconds * 1000 > 5 * stuckAfterMs ? `a transaction has waited ${oldestUnminedSeconds} s to be mined` : '',
  ].filter(Boolean);
  return {
    status: reasons.length ? 'degraded' : 'up',
    address,
    chainNonce,
    pendingNonce,
    nextNonce,
    unmined: agg?.unmined ?? 0,
    oldestUnminedSeconds,
    missingNonces,
    chainBehind,
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
  };
}
