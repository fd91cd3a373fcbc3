import type { Response } from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../common/logger';
import type { Redis } from '../common/redis';
import { TokenBuckets } from './auth/token-bucket';
import { HttpProblem } from './problem';

/** One limit (so many requests a minute per key), shared by every API instance. */
export interface SharedLimit {
  /** Counts one request under `key`; throws 429 with Retry-After when the key is over its limit. */
  take(key: string, res: Response): Promise<void>;
}

/**
 * A fixed one-minute window per key in Redis (rate-limiter-flexible's atomic Lua counter), so
 * N API instances together allow the limit once, not N times. While Redis is unreachable each
 * instance falls back to its own token buckets (bounded memory): still limited, per process,
 * as before Redis held them. Nothing is queued for Redis: a command fails at once when it is down.
 */
export function sharedLimit(opts: { redis: Redis; keyPrefix: string; name: string; perMinute: number; logger: Logger }): SharedLimit {
  const shared = new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: `${opts.keyPrefix}rl:${opts.name}`,
    points: opts.perMinute,
    duration: 60,
    rejectIfRedisNotReady: true,
  });
  const local = new TokenBuckets(opts.perMinute);
  let fallingBack = false;

  return {
    async take(key, res) {
      let retryAfterSeconds: number;
      try {
        await shared.consume(key);
        if (fallingBack) opts.logger.info({ limit: opts.name }, 'rate limits are shared in Redis again');
        fallingBack = false;
        return;
      } catch (err) {
        if (err instanceof RateLimiterRes) retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        else {
          if (!fallingBack)
            opts.logger.warn({ limit: opts.name, err: (err as Error).message }, 'Redis unavailable: rate limits are per process');
          fallingBack = true;
          const decision = local.take(key);
          if (decision.ok) return;
          retryAfterSeconds = decision.retryAfterSeconds;
        }
      }
      res.setHeader('retry-after', String(retryAfterSeconds));
      throw new HttpProblem(429, 'Too Many Requests', `rate limit exceeded; retry after ${retryAfterSeconds} s`);
    },
  };
}

/** The API's two limits: requests per caller (API key, user, or IP) and sign-in attempts (per IP and per account). */
export function createRateLimits(opts: {
  redis: Redis;
  keyPrefix: string;
  requestsPerMinute: number;
  loginsPerMinute: number;
  logger: Logger;
}): { requests: SharedLimit; logins: SharedLimit } {
  const { requestsPerMinute, loginsPerMinute, ...common } = opts;
  return {
    requests: sharedLimit({ ...common, name: 'api', perMinute: requestsPerMinute }),
    logins: sharedLimit({ ...common, name: 'login', perMinute: loginsPerMinute }),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
