import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from '../common/logger';
import type { Actor } from './auth/actor';
import type { Hold, IdempotencyStore } from './idempotency-store';
import { HttpProblem } from './problem';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** What an Idempotency-Key must be; the document shows this pattern. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** The request's Idempotency-Key, if it sent one; 400 when it is malformed. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get(IDEMPOTENCY_HEADER);
  if (key === undefined || IDEMPOTENCY_KEY_PATTERN.test(key)) return key;
  const message = 'must be 1-255 printable ASCII characters';
  throw new HttpProblem(400, 'Invalid request', `Idempotency-Key ${message}`, [{ field: 'header.Idempotency-Key', message }]);
}

/** Whose keys these are: keys of different callers never collide. */
export const actorScope = (actor: Actor | undefined): string => (actor ? `${actor.kind}:${actor.id}` : 'anonymous');

export const keyReused = () =>
  new HttpProblem(422, 'Idempotency-Key reused', 'this Idempotency-Key was already used with a different request; use a new key', [
    { field: 'header.Idempotency-Key', message: 'was used with a different request body, method or path' },
  ]);

/**
 * Idempotency-Key for routes that start work (docs/operations.md#idempotency-keys): without
 * the header the request just runs. With it, scoped to the caller:
 * - first use: runs under a lease it keeps renewing; a 2xx JSON answer is stored for 24 h;
 * - same key, same request: the stored answer is replayed, nothing runs;
 * - same key, another request: 422; same key while the first still holds its lease: 409;
 * - a 4xx answer frees the key; a 5xx or a thrown error ends the lease but keeps the
 *   fingerprint, so the same request may run again at once (and resumes), no other may.
 */
export async function withIdempotency(
  store: IdempotencyStore,
  ctx: {
    req: Request;
    res: Response;
    actor: string;
    key: string | undefined;
    fingerprint: string;
    logger: Logger;
    run: () => Promise<void>;
  },
): Promise<void> {
  const { res, key } = ctx;
  if (key === undefined) return ctx.run();
  const claim = await store.claim(ctx.actor, key, ctx.fingerprint);
  if (claim.kind === 'conflict') throw keyReused();
  if (claim.kind === 'in-progress') {
    res.setHeader('retry-after', '1');
    throw new HttpProblem(409, 'Request in progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
  }
  if (claim.kind === 'replay') {
    if (claim.location) res.location(claim.location);
    res.setHeader('idempotent-replayed', 'true');
    res.status(claim.status).json(claim.body);
    return;
  }
  const { hold } = claim;
  const lease = keepLease(store, hold, ctx.logger);
  // Hold the JSON answer back until it is stored: a retry must never miss an answer that was sent.
  const send = res.json.bind(res);
  let answer: { status: number; body: unknown } | undefined;
  res.json = (body: unknown) => {
    answer = { status: res.statusCode, body };
    return res;
  };
  try {
    await ctx.run();
  } catch (err) {
    res.json = send;
    await lease.stop();
    await settle(store, hold, err instanceof HttpProblem ? err.status : 500, ctx.logger);
    throw err;
  }
  res.json = send;
  await lease.stop();
  if (answer && answer.status >= 200 && answer.status < 300) {
    const location = res.get('location');
    if (!(await store.complete(hold, { ...answer, location: typeof location === 'string' ? location : undefined })))
      ctx.logger.warn({ requestId: ctx.req.id }, 'idempotency lease was lost before the answer was stored; not stored');
  } else await settle(store, hold, answer?.status ?? 500, ctx.logger);
  if (answer) send(answer.body);
}

/** After an error answer: 4xx changed nothing and frees the key; anything else only ends the lease. */
async function settle(store: IdempotencyStore, hold: Hold, status: number, logger: Logger): Promise<void> {
  try {
    if (status >= 400 && status < 500) await store.release(hold);
    else await store.endLease(hold);
  } catch (err) {
    // The lease then runs out by itself; the request's own error is what the caller must see.
    logger.warn({ err }, 'could not settle an idempotency record after an error');
  }
}

/** Renews the lease every renewMs until stopped; stop() waits for a renewal in flight. */
function keepLease(store: IdempotencyStore, hold: Hold, logger: Logger): { stop(): Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  let lost = false;
  const timer = setInterval(() => {
    pending = pending.then(async () => {
      try {
        if (!lost && !(await store.renew(hold))) {
          lost = true;
          logger.warn({ key: hold.key }, 'idempotency lease was taken over while its request still ran');
        }
      } catch (err) {
        logger.warn({ err }, 'could not renew an idempotency lease');
      }
    });
  }, store.timings.renewMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}

/**
 * Method, path, query and body with keys sorted: key order and whitespace do not make a request
 * different. An upload's body is its media type and bytes, given as their sha256 (never held in memory).
 */
export function fingerprint(
  req: Pick<Request, 'method' | 'baseUrl' | 'path' | 'query' | 'body'>,
  upload?: { contentType: string; sha256: string },
): string {
  const body = upload ? { upload: [upload.contentType, upload.sha256] } : sortKeys(req.body ?? null);
  const canonical = JSON.stringify([req.method, req.baseUrl + req.path, sortKeys(req.query), body]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
