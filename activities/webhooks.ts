import { randomUUID } from 'node:crypto';
import { isBreakerOpen, type BreakerOpenError } from '../common/http/errors';
import type { EventRelayDeps } from './events';
import { toWireEvent } from './events-payload';
import { postSignedEvent, retryDelayMs, type AttemptResult } from './webhooks-http';

const PARALLEL_ATTEMPTS = 8;
const DEFAULT_TIMEOUT_MS = 10_000;

export function webhookActivities({ prisma, logger, secrets, webhooks, outbound }: EventRelayDeps) {
  type Due = Awaited<ReturnType<typeof findDue>>[number];

  function findDue(limit: number) {
    return prisma.webhookDelivery.findMany({
      where: { status: 'PENDING', nextAttemptAt: { lte: new Date() } },
      orderBy: { nextAttemptAt: 'asc' },
      take: limit,
      include: { subscription: true, event: true },
    });
  }

  /** The webhook's signing secret; undefined when it cannot be opened (WEBHOOK_SECRET_KEY changed). */
  function secretOf(d: Due): string | undefined {
    try {
      return secrets.open(d.subscription.secretEncrypted);
    } catch {
      return undefined;
    }
  }

  /** One breaker per webhook: a failing receiver holds back only its own deliveries. */
  const clientOf = (d: Due) =>
    outbound.get(`webhook:${d.subscriptionId}`, { timeoutMs: webhooks.timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: 0 });

  /**
   * The webhook's breaker is open: nothing was sent, so no attempt is counted. Its pending
   * deliveries wait until the breaker lets a probe through, all in one update, so the relay
   * neither storms the receiver nor spins on rows it cannot send.
   */
  async function defer(d: Due, err: BreakerOpenError): Promise<void> {
    const until = new Date(Date.now() + err.retryAfterMs);
    await prisma.webhookDelivery.updateMany({
      where: { subscriptionId: d.subscriptionId, status: 'PENDING', nextAttemptAt: { lt: until } },
      data: { nextAttemptAt: until },
    });
  }

  async function attempt(d: Due, deferred: Set<string>): Promise<void> {
    if (deferred.has(d.subscriptionId)) return;
    const secret = secretOf(d);
    let result: AttemptResult;
    try {
      // An unreadable secret fails only this delivery; it must not stop the others.
      result = secret
        ? await postSignedEvent({
            client: clientOf(d),
            url: d.subscription.url,
            body: JSON.stringify(toWireEvent(d.event)),
            secret,
            eventId: d.eventId,
            eventType: d.event.type,
            deliveryId: d.id,
          })
        : { ok: false, statusCode: undefined, error: 'signing secret unreadable: was WEBHOOK_SECRET_KEY changed?' };
    } catch (err) {
      if (!isBreakerOpen(err)) throw err;
      if (!deferred.has(d.subscriptionId)) {
        deferred.add(d.subscriptionId);
        await defer(d, err);
      }
      return;
    }
    const attempts = d.attempts + 1;
    const dead = !result.ok && attempts >= webhooks.maxAttempts;
    // Guarded by the attempt count, so a retried activity never records one attempt twice.
    await prisma.webhookDelivery.updateMany({
      where: { id: d.id, status: 'PENDING', attempts: d.attempts },
      data: {
        attempts,
        lastStatusCode: result.statusCode ?? null,
        lastError: result.ok ? null : (result.error ?? 'failed'),
        ...(result.ok
          ? { status: 'DELIVERED', deliveredAt: new Date() }
          : dead
            ? { status: 'DEAD' }
            : { nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts, webhooks.retryInitialMs)) }),
      },
    });
    if (dead)
      logger.warn(
        { deliveryId: d.id, eventId: d.eventId, webhookId: d.subscriptionId, attempts, error: result.error },
        'webhook delivery dead',
      );
  }

  return {
    /**
     * Creates one delivery per (event, matching webhook) for the oldest events not fanned out
     * yet and marks them, in one transaction. Independent of Redis: webhooks keep flowing while
     * Redis is down. A webhook matches by event type and project (null = every project).
     */
    async fanOutEvents({ limit }: { limit: number }): Promise<{ events: number; deliveries: number; more: boolean }> {
      return prisma.$transaction(async (tx) => {
        const events = await tx.outboxEvent.findMany({
          where: { fannedOutAt: null },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          take: limit,
          select: { id: true, type: true, projectId: true },
        });
        if (events.length === 0) return { events: 0, deliveries: 0, more: false };
        const subs = await tx.webhookSubscription.findMany({
          where: { eventTypes: { hasSome: [...new Set(events.map((e) => e.type))] } },
          select: { id: true, eventTypes: true, projectId: true },
        });
        const data = events.flatMap((e) =>
          subs
            .filter((s) => s.eventTypes.includes(e.type) && (s.projectId === null || s.projectId === e.projectId))
            .map((s) => ({ id: randomUUID(), subscriptionId: s.id, eventId: e.id })),
        );
        // Unique (webhook, event): a second fan-out of the same event adds nothing.
        if (data.length) await tx.webhookDelivery.createMany({ data, skipDuplicates: true });
        await tx.outboxEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { fannedOutAt: new Date() } });
        return { events: events.length, deliveries: data.length, more: events.length === limit };
      });
    },

    /** Attempts the due deliveries, a few at a time: each ends delivered, rescheduled with backoff, or dead. */
    async deliverDueWebhooks({ limit }: { limit: number }): Promise<{ attempted: number; more: boolean }> {
      const due = await findDue(limit);
      const deferred = new Set<string>();
      for (let i = 0; i < due.length; i += PARALLEL_ATTEMPTS) {
        await Promise.all(due.slice(i, i + PARALLEL_ATTEMPTS).map((d) => attempt(d, deferred)));
      }
      return { attempted: due.length, more: due.length === limit };
    },
  };
}
