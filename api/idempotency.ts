import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Actor } from './auth/actor';
import type { IdempotencyStore } from './idempotency-store';
import { HttpProblem } from './problem';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Idempotency-Key for routes that start work (docs/operations.md#idempotency-keys): without
 * the header the request just runs. With it, scoped to the caller:
 * - first use: runs, and a 2xx JSON answer is stored for 24 h (an error frees the key again);
 * - same key, same method, path and body: the stored answer is replayed, nothing runs;
 * - same key, another request: 422; same key while the first is still running: 409.
 */
export async function withIdempotency(
  store: IdempotencyStore,
  ctx: { req: Request; res: Response; actor: Actor | undefined; run: () => Promise<void> },
): Promise<void> {
  const { req, res } = ctx;
  const key = req.get(IDEMPOTENCY_HEADER);
  if (key === undefined) return ctx.run();
  if (!KEY.test(key)) {
    const message = 'must be 1-255 printable ASCII characters';
    throw new HttpProblem(400, 'Invalid request', `Idempotency-Key ${message}`, [{ field: 'header.Idempotency-Key', message }]);
  }
  const actor = ctx.actor ? `${ctx.actor.kind}:${ctx.actor.id}` : 'anonymous';
  const claim = await store.claim(actor, key, fingerprint(req));
  if (claim.kind === 'conflict') {
    throw new HttpProblem(422, 'Idempotency-Key reused', 'this Idempotency-Key was already used with a different request; use a new key', [
      { field: 'header.Idempotency-Key', message: 'was used with a different request body, method or path' },
    ]);
  }
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
    await store.release(actor, key);
    throw err;
  }
  res.json = send;
  if (answer && answer.status >= 200 && answer.status < 300) {
    const location = res.get('location');
    await store.complete(actor, key, { ...answer, location: typeof location === 'string' ? location : undefined });
  } else {
    await store.release(actor, key);
  }
  if (answer) send(answer.body);
}

/** Method, path, query and body with keys sorted: key order and whitespace do not make a request different. */
export function fingerprint(req: Pick<Request, 'method' | 'baseUrl' | 'path' | 'query' | 'body'>): string {
  const canonical = JSON.stringify([req.method, req.baseUrl + req.path, sortKeys(req.query), sortKeys(req.body ?? null)]);
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
