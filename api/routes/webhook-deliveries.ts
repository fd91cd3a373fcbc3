import { z } from 'zod';
import type { WebhookDelivery } from '../../prisma/generated/client';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { createdCursor, decodeCursor, olderThan, pageQuery, toPage } from '../pagination';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { visibleTo } from './webhooks';

const STATUS = { pending: 'PENDING', delivered: 'DELIVERED', dead: 'DEAD' } as const;

const listQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
  webhookId: z.uuid().optional(),
});
const params = z.strictObject({ id: z.uuid() });

const present = (d: WebhookDelivery & { event: { type: string } }) => ({
  id: d.id,
  webhookId: d.subscriptionId,
  eventId: d.eventId,
  eventType: d.event.type,
  status: d.status.toLowerCase(),
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode ?? undefined,
  lastError: d.lastError ?? undefined,
  nextAttemptAt: d.status === 'PENDING' ? d.nextAttemptAt : undefined,
  deliveredAt: d.deliveredAt ?? undefined,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

/** Deliveries of events to webhooks: the dead ones (attempts exhausted) can be re-queued. */
export function webhookDeliveryRoutes({ prisma }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/webhooks/deliveries',
      summary: 'List webhook deliveries, newest first; ?status=dead shows those that gave up',
      tags: ['webhooks'],
      permission: Permission.WebhooksManage,
      query: listQuery,
      responses: { 200: { description: '{ items, nextCursor }' } },
      async handler({ res, query, actor }) {
        const rows = await prisma.webhookDelivery.findMany({
          where: {
            ...(query.status ? { status: STATUS[query.status] } : {}),
            ...(query.webhookId ? { subscriptionId: query.webhookId } : {}),
            subscription: visibleTo(actor),
            ...olderThan(decodeCursor(query.cursor, createdCursor)),
          },
          include: { event: { select: { type: true } } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        });
        res.json(toPage(rows, query.limit, (d) => [d.createdAt.toISOString(), d.id], present));
      },
    }),
    route({
      method: 'post',
      path: '/v1/webhooks/deliveries/:id/retry',
      summary: 'Re-queue a dead delivery: attempts start again from zero',
      tags: ['webhooks'],
      permission: Permission.WebhooksManage,
      params,
      responses: {
        202: { description: 'Re-queued; the relay attempts it within seconds' },
        404: { description: 'No such delivery' },
        409: { description: 'The delivery is not dead' },
      },
      async handler({ res, params: { id }, actor }) {
        const row = await prisma.webhookDelivery.findFirst({ where: { id, subscription: visibleTo(actor) } });
        if (!row) throw notFound(`webhook delivery ${id}`);
        // Only a dead delivery moves: a concurrent retry or the relay cannot be overtaken.
        const { count } = await prisma.webhookDelivery.updateMany({
          where: { id, status: 'DEAD' },
          data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), lastError: null, lastStatusCode: null },
        });
        if (count === 0) throw new HttpProblem(409, 'Conflict', `delivery ${id} is ${row.status.toLowerCase()}, not dead`);
        const updated = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id }, include: { event: { select: { type: true } } } });
        res.status(202).json(present(updated));
      },
    }),
  ];
}
