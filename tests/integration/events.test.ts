import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { recordEvent } from '../../common/outbox';
import { startTestRedis, type TestRedis } from '../support/redis-server';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * The outbox relay against a real Redis of its own (started here, so it can be stopped):
 * events recorded in Postgres reach Redis pub/sub at least once, including after an outage.
 */

const PROJECT = 'events-it';
let redis: TestRedis;
let sys: System;

beforeAll(async () => {
  redis = await startTestRedis();
  sys = await startSystem({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port) });
  await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Events' });
}, 90_000);

afterAll(async () => {
  await sys?.stop();
  await redis?.dispose();
});

/** Subscribes and collects the parsed messages of `channels`. */
async function listen(client: Redis, channels: string[]): Promise<{ type: string; body: any }[]> {
  const seen: { type: string; body: any }[] = [];
  client.on('message', (channel: string, message: string) => seen.push({ type: channel, body: JSON.parse(message) }));
  await client.subscribe(...channels);
  return seen;
}

/** `count` batch.completed events recorded as the domain code does: each in its own transaction. */
async function recordBatchEvents(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      await sys.prisma.$transaction((tx) =>
        recordEvent(tx, { type: 'batch.completed', aggregateId: `outage-${i}`, projectId: PROJECT, data: { payouts: i } }),
      ),
    );
  }
  return ids;
}

describe('event relay → Redis', () => {
  it('When events are recorded in a transaction, Then each arrives on the channel named by its type with its wire shape and is marked published', async () => {
    const seen = await listen(redis.client(), ['wallet.created', 'beneficiary.created']);
    const aggregateId = randomUUID();

    const ids = await sys.prisma.$transaction(async (tx) => [
      await recordEvent(tx, {
        type: 'wallet.created',
        aggregateId,
        projectId: PROJECT,
        data: { address: '0x0000000000000000000000000000000000000001' },
      }),
      await recordEvent(tx, { type: 'beneficiary.created', aggregateId, projectId: PROJECT, data: { walletAddress: null } }),
    ]);

    await eventually(
      async () => seen.filter((m) => m.body.aggregateId === aggregateId).length,
      (n) => n === 2,
    );
    const mine = seen.filter((m) => m.body.aggregateId === aggregateId);
    expect(mine.map((m) => m.type).sort()).toEqual(['beneficiary.created', 'wallet.created']);
    const rows = await sys.prisma.outboxEvent.findMany({ where: { id: { in: ids } } });
    for (const m of mine) {
      const row = rows.find((r) => r.id === m.body.id)!;
      expect(m.body).toEqual({
        id: row.id,
        type: m.type,
        aggregateId,
        projectId: PROJECT,
        data: row.data,
        createdAt: row.createdAt.toISOString(),
      });
    }
    await eventually(
      () => sys.prisma.outboxEvent.count({ where: { id: { in: ids }, publishedAt: { not: null } } }),
      (n) => n === 2,
    );
  }, 60_000);

  it('When Redis is down while events are recorded, Then none is lost: each arrives once Redis is back, with unique ids', async () => {
    await redis.stop();
    await eventually(
      () => call(sys.api.url, 'GET', '/health'),
      // Degraded, not unavailable: the API keeps serving and stays in the load balancer.
      (h) => h.status === 200 && h.body.status === 'degraded' && h.body.checks.redis.status === 'down',
    );

    const ids = await recordBatchEvents(25);
    // Long enough for several relay attempts against the dead Redis.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await sys.prisma.outboxEvent.count({ where: { id: { in: ids }, publishedAt: { not: null } } })).toBe(0);

    await redis.startWithPortClosed();
    const seen = await listen(redis.client(), ['batch.completed']);
    await redis.openPort();

    await eventually(
      async () => seen.filter((m) => ids.includes(m.body.id)).length,
      (n) => n >= ids.length,
      60_000,
    );
    const received = seen.map((m) => m.body.id as string).filter((id) => ids.includes(id));
    expect(new Set(received)).toEqual(new Set(ids));
    expect(new Set(ids).size).toBe(25);
    expect(await sys.prisma.outboxEvent.count({ where: { id: { in: ids }, publishedAt: null } })).toBe(0);
    const health = await eventually(
      () => call(sys.api.url, 'GET', '/health'),
      (h) => h.body.checks.redis.status === 'up',
    );
    expect(health.body.checks.redis).toEqual({ status: 'up', latencyMs: expect.any(Number) });
  }, 120_000);
});
