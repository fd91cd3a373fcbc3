import type { Logger } from 'pino';
import { redisReady, type Redis } from './redis';

/** What changed, as every instance names it in its cache and on the invalidation channel. */
export const cacheTopics = {
  project: (id: string) => `project:${id}`,
  contracts: (chainId: number) => `contracts:${chainId}`,
};

/** The channel (under REDIS_KEY_PREFIX) on which writers name what changed. */
export const invalidationChannel = (keyPrefix: string) => `${keyPrefix}invalidate`;

/**
 * Tells every API instance that `topic` changed (the deploy step uses it directly; a fresh
 * process waits up to `waitMs` for its connection). A failed publish is logged, never thrown:
 * the write itself has happened.
 */
export function invalidationPublisher(redis: Redis, keyPrefix: string, logger?: Logger, waitMs = 2000): (topic: string) => Promise<void> {
  return async (topic) => {
    try {
      await redisReady(redis, waitMs);
      await redis.publish(invalidationChannel(keyPrefix), topic);
    } catch (err) {
      logger?.warn(
        { topic, err: (err as Error).message },
        'could not publish a cache invalidation; API instances may serve the old value until their cache TTL',
      );
    }
  };
}

export interface HotCache {
  /** The cached value of `topic`, else `load()`'s, cached only if `keep` says so (default: always). */
  get<T>(topic: string, load: () => Promise<T>, keep?: (value: T) => boolean): Promise<T>;
  /** After a change: drops it here at once and tells every other instance. Never throws. */
  invalidate(topic: string): Promise<void>;
  /** Whether cached values are served now: only while this process hears invalidations. */
  readonly live: boolean;
  close(): void;
}

/**
 * Hot reads kept in this process's memory for at most `ttlMs`, dropped when any instance
 * publishes that they changed. Values are served from the cache only while the invalidation
 * subscription is up: when Redis is down, or the connection drops, the cache is emptied and
 * every read goes to the database until the subscription is back, so a change is never missed
 * because a message was. The TTL only bounds a link that fails silently, and memory.
 */
export function createHotCache(opts: { redis: Redis; keyPrefix: string; ttlMs: number; logger: Logger; maxEntries?: number }): HotCache {
  const maxEntries = opts.maxEntries ?? 10_000;
  const channel = invalidationChannel(opts.keyPrefix);
  // A request that changed something does not wait for a Redis that is down.
  const publish = invalidationPublisher(opts.redis, opts.keyPrefix, opts.logger, 0);
  const entries = new Map<string, { value: Promise<unknown>; expires: number }>();
  let live = false;

  const subscriber = opts.redis.duplicate({ autoResubscribe: false });
  // The main connection logs outages; the subscriber's own errors say the same.
  subscriber.on('error', () => undefined);
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        entries.clear();
        live = true;
      },
      (err: Error) => opts.logger.warn({ err: err.message }, 'could not subscribe to cache invalidations; reading through'),
    );
  });
  subscriber.on('close', () => {
    live = false;
    entries.clear();
  });
  subscriber.on('message', (_channel: string, topic: string) => {
    entries.delete(topic);
  });

  return {
    get live() {
      return live;
    },
    async get<T>(topic: string, load: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
      if (!live || opts.ttlMs <= 0) return load();
      const now = Date.now();
      const hit = entries.get(topic);
      if (hit && hit.expires > now) return hit.value as Promise<T>;
      const value = load();
      const entry = { value, expires: now + opts.ttlMs };
      entries.set(topic, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      // A failed or unwanted value is not kept; an invalidation during the load already removed it.
      const drop = () => {
        if (entries.get(topic) === entry) entries.delete(topic);
      };
      value.then((v) => (keep(v) ? undefined : drop()), drop);
      return value;
    },
    async invalidate(topic) {
      entries.delete(topic);
      await publish(topic);
    },
    close() {
      live = false;
      entries.clear();
      subscriber.disconnect();
    },
  };
}
