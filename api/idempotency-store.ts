import { Prisma, type PrismaClient } from '../common/db';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An unfinished record this old belongs to a request that died (API restart) and may be taken over. */
const STALE_AFTER_MS = 60_000;

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'conflict' }
  | { kind: 'in-progress' }
  | { kind: 'replay'; status: number; body: unknown; location: string | null };

type Row = Awaited<ReturnType<PrismaClient['idempotencyRecord']['findUnique']>>;

/**
 * Postgres-backed: insert first, so of two concurrent requests with one key exactly one wins
 * the primary key (actor, key) and runs; the other sees the winner's row.
 */
export function idempotencyStore(prisma: PrismaClient) {
  const id = (actor: string, key: string) => ({ actor_key: { actor, key } });

  async function claim(actor: string, key: string, fingerprint: string, retries = 2): Promise<Claim> {
    const now = Date.now();
    try {
      await prisma.idempotencyRecord.create({ data: { actor, key, fingerprint, expiresAt: new Date(now + IDEMPOTENCY_TTL_MS) } });
      return { kind: 'claimed' };
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    }
    const row = await prisma.idempotencyRecord.findUnique({ where: id(actor, key) });
    if (!row) return retries > 0 ? claim(actor, key, fingerprint, retries - 1) : { kind: 'in-progress' };
    const expired = row.expiresAt.getTime() <= now;
    const abandoned = row.responseStatus === null && row.createdAt.getTime() < now - STALE_AFTER_MS && row.fingerprint === fingerprint;
    if (expired || abandoned) {
      if (await takeOver(row, fingerprint)) return { kind: 'claimed' };
      return retries > 0 ? claim(actor, key, fingerprint, retries - 1) : { kind: 'in-progress' };
    }
    if (row.fingerprint !== fingerprint) return { kind: 'conflict' };
    if (row.responseStatus === null) return { kind: 'in-progress' };
    return { kind: 'replay', status: row.responseStatus, body: row.responseBody, location: row.location };
  }

  /** Compare-and-set on createdAt: of two requests taking over one row, one wins. */
  async function takeOver(row: NonNullable<Row>, fingerprint: string): Promise<boolean> {
    const now = Date.now();
    const { count } = await prisma.idempotencyRecord.updateMany({
      where: { actor: row.actor, key: row.key, createdAt: row.createdAt },
      data: {
        fingerprint,
        createdAt: new Date(now),
        expiresAt: new Date(now + IDEMPOTENCY_TTL_MS),
        responseStatus: null,
        responseBody: Prisma.DbNull,
        location: null,
      },
    });
    return count === 1;
  }

  return {
    claim,
    async complete(actor: string, key: string, response: { status: number; body: unknown; location?: string }): Promise<void> {
      await prisma.idempotencyRecord.update({
        where: id(actor, key),
        data: {
          responseStatus: response.status,
          responseBody: (response.body ?? null) as Prisma.InputJsonValue,
          location: response.location ?? null,
        },
      });
    },
    /** Frees the key after a failed attempt, so the caller may retry with it. */
    async release(actor: string, key: string): Promise<void> {
      await prisma.idempotencyRecord.deleteMany({ where: { actor, key, responseStatus: null } });
    },
    async purgeExpired(): Promise<number> {
      return (await prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lt: new Date() } } })).count;
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
