import type { PrismaClient } from '../common/db';
import type { PayoutStatus } from '../prisma/generated/client';

/**
 * A batch payout's in-flight state (SIGNED, SUBMITTED) is its chunk's: one transaction pays
 * the whole chunk, so it is written once on the chunk, not on each of its payouts.
 */
export function effectiveStatus(payoutStatus: PayoutStatus, chunkStatus: PayoutStatus | undefined): PayoutStatus {
  return payoutStatus === 'PENDING' && (chunkStatus === 'SIGNED' || chunkStatus === 'SUBMITTED') ? chunkStatus : payoutStatus;
}

/** Payout count and amount by effective status for one batch. */
export async function batchStatusCounts(prisma: PrismaClient, batchId: string): Promise<Record<string, { count: number; amount: string }>> {
  const rows = await prisma.$queryRaw<{ status: string; count: number; amount: string }[]>`
    SELECT CASE WHEN p.status = 'PENDING' AND c.status IN ('SIGNED', 'SUBMITTED') THEN c.status::text ELSE p.status::text END AS status,
           count(*)::int AS count, sum(p.amount)::text AS amount
    FROM payouts p LEFT JOIN payout_chunks c ON c.id = p.chunk_id
    WHERE p.batch_id = ${batchId} GROUP BY 1`;
  return Object.fromEntries(rows.map((r) => [r.status, { count: r.count, amount: r.amount }]));
}

/** The where-clause for payouts of a batch whose effective status is `status`. */
export async function payoutStatusFilter(prisma: PrismaClient, batchId: string, status: PayoutStatus | undefined) {
  if (!status) return {};
  if (status !== 'PENDING' && status !== 'SIGNED' && status !== 'SUBMITTED') return { status };
  const inFlight = await prisma.payoutChunk.findMany({
    where: { batchId, status: status === 'PENDING' ? { in: ['SIGNED', 'SUBMITTED'] } : status },
    select: { id: true },
  });
  const ids = inFlight.map((c) => c.id);
  return status === 'PENDING'
    ? { status, OR: [{ chunkId: null }, { chunkId: { notIn: ids } }] }
    : { status: 'PENDING' as const, chunkId: { in: ids } };
}
