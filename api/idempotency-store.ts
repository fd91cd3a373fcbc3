import { Prisma, type PrismaClient } from '../common/db';
import { isUniqueViolation } from './db-errors';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The request holding a key pushes its lease forward every renewMs while it runs; a record is
 * taken over only when its lease has run out (the holder died, or ended it with an error).
 * Three renewals fit in a lease, so a slow database round or a GC pause does not lose it.
 */
export interface LeaseTimings {
  leaseMs: number;
  renewMs: number;
}
export const LEASE: LeaseTimings = { leaseMs: 30_000, renewMs: 10_000 };
/** Records written before leases existed (locked_until null) keep the old rule: 60 s from their start. */
const LEGACY_LEASE_MS = 60_000;

/** The claim a request holds: createdAt is the time of the current claim and doubles as its token. */
export interface Hold {
  actor: string;
  key: string;
  token: Date;
}

export type Claim =
  | { kind: 'claimed'; hold: Hold }
  | { kind: 'conflict' }
  | { kind: 'in-progress' }
  | { kind: 'replay'; status: number; body: unknown; location: string | null };

type Row = NonNullable<Awaited<ReturnType<PrismaClient['idempotencyRecord']['findUnique']>>>;

/**
 * Postgres-backed: insert first, so of two concurrent requests with one key exactly one wins
 * the primary key (actor, key) and runs; the other sees the winner's row. Every later write
 * is a compare-and-set on the claim's token, so a holder that lost its lease changes nothing.
 */
export function idempotencyStore(prisma: PrismaClient, timings: LeaseTimings = LEASE) {
  const held = (h: Hold) => ({ actor: h.actor, key: h.key, createdAt: h.token, responseStatus: null });
  const leaseEnd = (row: Row) => row.lockedUntil?.getTime() ?? row.createdAt.getTime() + LEGACY_LEASE_MS;

  async function claim(actor: string, key: string, fingerprint: string, retries = 2): Promise<Claim> {
    const now = Date.now();
    const token = new Date(now);
    try {
      await prisma.idempotencyRecord.create({
        data: {
          actor,
          key,
          fingerprint,
          createdAt: token,
          lockedUntil: new Date(now + timings.leaseMs),
          expiresAt: new Date(now + IDEMPOTENCY_TTL_MS),
        },
      });
      return { kind: 'claimed', hold: { actor, key, token } };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const row = await prisma.idempotencyRecord.findUnique({ where: { actor_key: { actor, key } } });
    const again = () => (retries > 0 ? claim(actor, key, fingerprint, retries - 1) : ({ kind: 'in-progress' } as const));
    if (!row) return again();
    const open = row.responseStatus === null;
    const alive = open && leaseEnd(row) > now;
    // An expired record is forgotten, unless its request is still running.
    if (row.expiresAt.getTime() <= now && !alive) return (await takeOver(row, fingerprint, token)) ?? again();
    if (row.fingerprint !== fingerprint) return { kind: 'conflict' };
    if (!open) return { kind: 'replay', status: row.responseStatus!, body: row.responseBody, location: row.location };
    if (alive) return { kind: 'in-progress' };
    // Same request, lease run out: run it again. Safe, because what it creates is keyed by the
    // request (derived ids, request fingerprints on batches and imports) and resumes.
    return (await takeOver(row, fingerprint, token)) ?? again();
  }

  /** Compare-and-set on the row as it was read: of two requests taking over one row, one wins. */
  async function takeOver(row: Row, fingerprint: string, token: Date): Promise<Claim | undefined> {
    const now = token.getTime();
    const { count } = await prisma.idempotencyRecord.updateMany({
      where: { actor: row.actor, key: row.key, createdAt: row.createdAt, lockedUntil: row.lockedUntil, responseStatus: row.responseStatus },
      data: {
        fingerprint,
        createdAt: token,
        lockedUntil: new Date(now + timings.leaseMs),
        expiresAt: new Date(now + IDEMPOTENCY_TTL_MS),
        responseStatus: null,
        responseBody: Prisma.DbNull,
        location: null,
      },
    });
    return count === 1 ? { kind: 'claimed', hold: { actor: row.actor, key: row.key, token } } : undefined;
  }

  return {
    timings,
    claim,
    /** Pushes the lease forward; false when the claim was lost (taken over after a missed lease). */
    async renew(h: Hold): Promise<boolean> {
      const { count } = await prisma.idempotencyRecord.updateMany({
        where: held(h),
        data: { lockedUntil: new Date(Date.now() + timings.leaseMs) },
      });
      return count === 1;
    },
    /** Stores the answer to replay; false when the claim was lost. */
    async complete(h: Hold, response: { status: number; body: unknown; location?: string }): Promise<boolean> {
      const { count } = await prisma.idempotencyRecord.updateMany({
        where: held(h),
        data: {
          responseStatus: response.status,
          responseBody: (response.body ?? null) as Prisma.InputJsonValue,
          location: response.location ?? null,
          lockedUntil: null,
        },
      });
      return count === 1;
    },
    /** Frees the key after an answer that changed nothing (a 4xx): the caller may use it for anything. */
    async release(h: Hold): Promise<void> {
      await prisma.idempotencyRecord.deleteMany({ where: held(h) });
    },
    /**
     * After a 5xx or a thrown error, which may follow side effects: the lease ends now, so a retry
     * of the same request takes over at once and resumes, and the fingerprint stays, so the key
     * cannot be used for another request.
     */
    async endLease(h: Hold): Promise<void> {
      await prisma.idempotencyRecord.updateMany({ where: held(h), data: { lockedUntil: new Date() } });
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
