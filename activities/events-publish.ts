import { redisReady } from '../common/redis';
import type { EventRelayDeps } from './events';
import { toWireEvent } from './events-payload';

export function outboxActivities({ prisma, redis }: EventRelayDeps) {
  return {
    /**
     * Publishes the oldest unpublished outbox events, oldest first, each on the Redis channel
     * named by its type (one pipelined round trip), then marks published exactly those Redis
     * accepted. While Redis is down this throws and Temporal retries; nothing is marked, so
     * nothing is lost. A crash between publish and mark publishes again (at least once).
     */
    async publishPendingEvents({ limit }: { limit: number }): Promise<{ published: number; more: boolean }> {
      const rows = await prisma.outboxEvent.findMany({
        where: { publishedAt: null },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      if (rows.length === 0) return { published: 0, more: false };
      await redisReady(redis, 3000);
      const pipeline = redis.pipeline();
      for (const row of rows) pipeline.publish(row.type, JSON.stringify(toWireEvent(row)));
      const results = (await pipeline.exec()) ?? [];
      const accepted = rows.filter((_, i) => results[i] && !results[i][0]).map((r) => r.id);
      if (accepted.length) await prisma.outboxEvent.updateMany({ where: { id: { in: accepted } }, data: { publishedAt: new Date() } });
      if (accepted.length < rows.length) {
        const failed = results.find((r) => r?.[0])?.[0];
        throw new Error(`redis refused ${rows.length - accepted.length} of ${rows.length} events: ${failed?.message ?? 'no reply'}`);
      }
      return { published: rows.length, more: rows.length === limit };
    },
  };
}
