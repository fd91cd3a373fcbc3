import pino from 'pino';
import { BreakerOpenError } from '../common/http/errors';
import type { ServiceRequest } from '../common/http/service-client';
import { createSecretBox } from '../common/secret-box';
import type { EventRelayDeps } from './events';
import { verifyWebhookSignature, WebhookHeader } from './webhooks-signature';
import { webhookActivities } from './webhooks';

const box = createSecretBox('k'.repeat(32));
const event = { id: 'e1', type: 'wallet.created', aggregateId: 'b1', projectId: 'p1', data: { a: 1 }, createdAt: new Date(0) };

function delivery(id: string, attempts: number, sealed = box.seal(`whsec_${id}`)) {
  return {
    id,
    attempts,
    eventId: 'e1',
    subscriptionId: `w-${id}`,
    subscription: { url: `https://hooks.test/${id}`, secretEncrypted: sealed },
    event,
  };
}

/**
 * A fake Prisma returning `due` and recording each delivery update; `status` answers per URL,
 * or `'open'` for a webhook whose breaker is open (the client throws, nothing is sent).
 */
function setup(due: ReturnType<typeof delivery>[], status: (url: string) => number | 'open', maxAttempts = 3) {
  const updates: { where: any; data: any }[] = [];
  const requests: { url: string; init: ServiceRequest; service: string }[] = [];
  const deps = {
    prisma: {
      webhookDelivery: {
        findMany: jest.fn().mockResolvedValue(due),
        updateMany: jest.fn(async (args: { where: any; data: any }) => {
          updates.push(args);
          return { count: 1 };
        }),
      },
    },
    logger: pino({ level: 'silent' }),
    secrets: box,
    webhooks: { maxAttempts, retryInitialMs: 1000 },
    outbound: {
      get: (service: string) => ({
        async request(url: string, init: ServiceRequest) {
          const answer = status(url);
          if (answer === 'open') throw new BreakerOpenError(service, 5000);
          requests.push({ url, init, service });
          return { status: answer };
        },
      }),
    },
  } as unknown as EventRelayDeps;
  return { deliver: webhookActivities(deps).deliverDueWebhooks, updates, requests };
}

const updateOf = (updates: { where: any; data: any }[], id: string) => updates.find((u) => u.where.id === id)!;

describe('deliverDueWebhooks', () => {
  it('When the receiver answers 2xx, Then the delivery is DELIVERED and the request was signed with its secret', async () => {
    const { deliver, updates, requests } = setup([delivery('a', 0)], () => 204);

    await deliver({ limit: 20 });

    expect(updateOf(updates, 'a').data).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 204, lastError: null });
    const headers = requests[0]!.init.headers as Record<string, string>;
    expect(
      verifyWebhookSignature({
        secret: 'whsec_a',
        body: requests[0]!.init.body as string,
        timestamp: headers[WebhookHeader.timestamp],
        signature: headers[WebhookHeader.signature],
      }),
    ).toBe(true);
    expect(requests[0]!.service).toBe('webhook:w-a');
  });

  it('When an attempt fails before the last, Then it stays PENDING with the next attempt scheduled later', async () => {
    const { deliver, updates } = setup([delivery('b', 0)], () => 500);
    const before = Date.now();

    await deliver({ limit: 20 });

    const u = updateOf(updates, 'b');
    expect(u.data).toMatchObject({ attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(u.data.status).toBeUndefined();
    expect(u.data.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 1000);
    expect(u.where).toEqual({ id: 'b', status: 'PENDING', attempts: 0 });
  });

  it('When the last attempt fails, Then the delivery is DEAD', async () => {
    const { deliver, updates } = setup([delivery('c', 2)], () => 503, 3);

    await deliver({ limit: 20 });

    expect(updateOf(updates, 'c').data).toMatchObject({ status: 'DEAD', attempts: 3, lastStatusCode: 503 });
  });

  it('When one webhook secret cannot be opened, Then only that delivery fails and the others are still sent', async () => {
    const { deliver, updates, requests } = setup([delivery('d', 0, 'v1.bad.bad.bad'), delivery('e', 0)], () => 200);

    await deliver({ limit: 20 });

    expect(updateOf(updates, 'd').data).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/secret unreadable/) });
    expect(updateOf(updates, 'e').data).toMatchObject({ status: 'DELIVERED' });
    expect(requests.map((r) => r.url)).toEqual(['https://hooks.test/e']);
  });

  it("When a webhook's breaker is open, Then nothing is sent to it, no attempt is counted, its pending deliveries wait for the breaker in one update, and other webhooks are still served", async () => {
    // Two deliveries of the webhook whose breaker is open (one subscription), one of another.
    const due = [delivery('f', 2), delivery('g', 0), { ...delivery('f2', 0), subscriptionId: 'w-f' }];
    const { deliver, updates, requests } = setup(due, (url) => (url.includes('/f') ? 'open' : 200));
    const before = Date.now();

    await deliver({ limit: 20 });

    expect(requests.map((r) => r.url)).toEqual(['https://hooks.test/g']);
    const deferrals = updates.filter((u) => u.where.subscriptionId === 'w-f');
    expect(deferrals).toHaveLength(1);
    expect(deferrals[0]!.where).toMatchObject({ status: 'PENDING', nextAttemptAt: { lt: expect.any(Date) } });
    expect(deferrals[0]!.data.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 5000);
    expect(Object.keys(deferrals[0]!.data)).toEqual(['nextAttemptAt']);
    expect(updates.filter((u) => u.where.id === 'f' || u.where.id === 'f2')).toEqual([]);
    expect(updateOf(updates, 'g').data).toMatchObject({ status: 'DELIVERED' });
  });
});
