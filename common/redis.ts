import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config';

export type { Redis };

/**
 * One Redis connection per process. It reconnects forever in the background, but a command
 * sent while Redis is down fails at once (no offline queue): the caller's retry (Temporal's
 * for the relay, the next probe for /health) is the only retry, so nothing piles up in memory.
 */
export function createRedis(opts: Config['redis'], logger: Logger, tuning: { commandTimeoutMs?: number } = {}): Redis {
  const redis = new Redis({
    host: opts.host,
    port: opts.port,
    password: opts.password,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: tuning.commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // An unhandled 'error' would be printed by ioredis itself; one line per outage is enough.
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, host: opts.host, port: opts.port }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ host: opts.host, port: opts.port }, 'redis available again');
    down = false;
  });
  return redis;
}

/** Resolves when the connection is usable; rejects after `timeoutMs` (Redis down or unreachable). */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'end') throw new Error('redis connection is closed');
  await once(redis, 'ready', { signal: AbortSignal.timeout(timeoutMs) }).catch(() => {
    throw new Error(`redis at ${redis.options.host}:${redis.options.port} not ready within ${timeoutMs} ms (${redis.status})`);
  });
}

/** Closes without waiting for a server that may be gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
