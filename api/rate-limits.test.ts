import type { Response } from 'express';
import { Redis } from 'ioredis';
import pino from 'pino';
import { sharedLimit } from './rate-limits';

describe('sharedLimit without Redis', () => {
  // Never connects: the limit must not wait for it, nor let everything through.
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  afterAll(() => redis.disconnect());

  const res = () => {
    const headers: Record<string, string> = {};
    return { headers, setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response & { headers: Record<string, string> };
  };

  it('When Redis is not reachable, Then the limit holds in this process (429 with Retry-After past it) and one warning says so', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const limit = sharedLimit({ redis, keyPrefix: 'unit:', name: 'api', perMinute: 3, logger });
    const r = res();

    for (let i = 0; i < 3; i++) await limit.take('user:a', r);
    const refused = limit.take('user:a', r);

    await expect(refused).rejects.toMatchObject({ status: 429 });
    expect(Number(r.headers['retry-after'])).toBe(20);
    await expect(limit.take('user:b', res())).resolves.toBeUndefined();
    expect(warnings).toEqual(['Redis unavailable: rate limits are per process']);
  });
});
