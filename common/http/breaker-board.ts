import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BreakerState } from './service-client';
import type { ServiceClients } from './service-clients';

/**
 * Where the breakers' states meet (docs/operations.md, "Outside services"). The breakers live
 * in the workers; each worker writes its states to one Redis hash per task queue and worker,
 * `rahat:outbound:<taskQueue>:<worker>`, every few seconds and at every breaker change, with a
 * short expiry, so a stopped worker's states vanish by themselves. The API reads them for
 * /health and /metrics. Redis down: states are not written, and /health is 503 for Redis anyway.
 */

const PREFIX = 'rahat:outbound';
const PUBLISH_EVERY_MS = 5000;
const EXPIRE_MS = 15_000;

export interface ServiceHealth {
  status: 'up' | 'degraded';
  breaker: BreakerState;
  /** Open: seconds until the next probe. */
  retryInSeconds?: number;
  /** Workers reporting this service. */
  workers: number;
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/** Starts publishing; returns a function that stops it and removes this worker's hash. */
export function publishBreakerStates(redis: Redis, taskQueue: string, clients: ServiceClients): () => Promise<void> {
  const key = `${PREFIX}:${taskQueue}:${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const publish = () => {
    if (redis.status !== 'ready') return;
    const states = clients.states();
    const fields = states.flatMap((s) => [s.service, JSON.stringify({ breaker: s.breaker, retryAt: s.retryAt })]);
    const tx = redis.multi().del(key);
    if (fields.length) tx.hset(key, ...fields).pexpire(key, EXPIRE_MS);
    tx.exec().catch(() => undefined);
  };
  clients.subscribe((e) => {
    if (e.kind === 'state') publish();
  });
  const timer = setInterval(publish, PUBLISH_EVERY_MS);
  timer.unref();
  publish();
  return async () => {
    clearInterval(timer);
    if (redis.status === 'ready') await redis.del(key).catch(() => undefined);
  };
}

const RANK: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

/** Every service some worker of the task queue reported, the worst breaker state across workers. */
export async function readBreakerStates(redis: Redis, taskQueue: string): Promise<Record<string, ServiceHealth>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${PREFIX}:${escapeGlob(taskQueue)}:*`, 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const out: Record<string, ServiceHealth> = {};
  for (const key of keys) {
    for (const [service, raw] of Object.entries(await redis.hgetall(key))) {
      const { breaker, retryAt } = JSON.parse(raw) as { breaker: BreakerState; retryAt?: number };
      const seen = out[service];
      const workers = (seen?.workers ?? 0) + 1;
      if (seen && RANK[seen.breaker] >= RANK[breaker]) {
        seen.workers = workers;
        continue;
      }
      out[service] = {
        status: breaker === 'closed' ? 'up' : 'degraded',
        breaker,
        ...(breaker === 'open' && retryAt ? { retryInSeconds: Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) } : {}),
        workers,
      };
    }
  }
  return out;
}

/** Prometheus encoding of a breaker state: 0 closed, 1 half-open, 2 open. */
export const breakerStateValue = (state: BreakerState) => RANK[state];
