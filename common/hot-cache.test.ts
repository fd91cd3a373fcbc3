import { Redis } from 'ioredis';
import pino from 'pino';
import { createHotCache } from './hot-cache';

describe('createHotCache without Redis', () => {
  it('When invalidations cannot be heard, Then nothing is served from memory: every read goes to its source', async () => {
    const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    const cache = createHotCache({ redis, keyPrefix: 'unit:', ttlMs: 60_000, logger: pino({ level: 'silent' }) });
    let reads = 0;
    const load = async () => ++reads;

    const values = [await cache.get('project:p', load), await cache.get('project:p', load)];
    await cache.invalidate('project:p');

    expect(cache.live).toBe(false);
    expect(values).toEqual([1, 2]);
    cache.close();
    redis.disconnect();
  });
});
