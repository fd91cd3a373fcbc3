import { recordEvent, type EventType } from '../../common/outbox';
import { verifyWebhookSignature, WebhookHeader } from '../../activities/webhooks-signature';
import { freePort } from '../../scripts/stack/process';
import { startReceiver, type Receiver } from '../support/webhook-receiver';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Webhooks end to end: registration through the API, signed deliveries from the relay, retries
 * while a receiver is down, dead deliveries after the last attempt, and re-queueing them.
 */

const PROJECT = 'hooks-it';
const OTHER_PROJECT = 'hooks-other';
let sys: System;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // Four attempts, 0.5 s doubling: a receiver down for ~1 s recovers, one down for good is dead within seconds.
  sys = await startSystem({ WEBHOOK_MAX_ATTEMPTS: '4', WEBHOOK_RETRY_INITIAL_SECONDS: '0.5' });
  await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Hooks' });
  await call(sys.api.url, 'POST', '/v1/projects', { id: OTHER_PROJECT, name: 'Other' });
}, 90_000);

afterAll(async () => {
  for (const r of receivers) await r.close();
  await sys?.stop();
});

async function receiver(port?: number): Promise<Receiver> {
  const r = await startReceiver(port);
  receivers.push(r);
  return r;
}

async function register(url: string, eventTypes: EventType[], projectId: string | undefined = PROJECT) {
  const res = await call(sys.api.url, 'POST', '/v1/webhooks', { url, eventTypes, ...(projectId ? { projectId } : {}) });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

async function emit(type: EventType, aggregateId: string, projectId = PROJECT): Promise<string> {
  return sys.prisma.$transaction((tx) => recordEvent(tx, { type, aggregateId, projectId, data: { n: 1 } }));
}

const deliveries = async (query: string) => (await call(sys.api.url, 'GET', `/v1/webhooks/deliveries?${query}`)).body.items as any[];

describe('webhook registration', () => {
  it('When a webhook is registered, Then the secret is shown once, stored only encrypted, and never listed', async () => {
    const r = await receiver();

    const created = await register(r.url, ['beneficiary.created']);

    expect(created.secret).toMatch(/^whsec_[\w-]{43}$/);
    const row = await sys.prisma.webhookSubscription.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretEncrypted).not.toContain(created.secret.slice(6));
    const list = await call(sys.api.url, 'GET', '/v1/webhooks');
    const listed = list.body.items.find((w: any) => w.id === created.id);
    expect(listed).toMatchObject({ url: r.url, eventTypes: ['beneficiary.created'], projectId: PROJECT });
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
  });

  it.each([
    ['a plain-http URL to another host', { url: 'http://example.org/hook', eventTypes: ['wallet.created'] }, 'body.url'],
    ['an unknown event type', { url: 'https://example.org/hook', eventTypes: ['wallet.deleted'] }, 'body.eventTypes.0'],
    ['no event type', { url: 'https://example.org/hook', eventTypes: [] }, 'body.eventTypes'],
  ])('When registered with %s, Then 400 names the field', async (_, body, field) => {
    const res = await call(sys.api.url, 'POST', '/v1/webhooks', body);

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field)).toContain(field);
  });

  it('When a webhook is deleted, Then it is gone from the list and a second delete is 404', async () => {
    const { id } = await register('https://example.org/gone', ['batch.completed']);

    expect((await call(sys.api.url, 'DELETE', `/v1/webhooks/${id}`)).status).toBe(204);

    expect((await call(sys.api.url, 'GET', '/v1/webhooks?limit=200')).body.items.map((w: any) => w.id)).not.toContain(id);
    expect((await call(sys.api.url, 'DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
  });
});

describe('webhook delivery', () => {
  it('When an event is delivered, Then the receiver can verify the HMAC signature, and a tampered body or wrong secret fails verification', async () => {
    const r = await receiver();
    const { secret } = await register(r.url, ['wallet.created']);

    const eventId = await emit('wallet.created', 'sig-1');

    const got = await eventually(
      async () => r.received.find((x) => x.headers[WebhookHeader.eventId] === eventId),
      (x) => x !== undefined,
    );
    const { body, headers } = got!;
    expect(JSON.parse(body)).toMatchObject({ id: eventId, type: 'wallet.created', aggregateId: 'sig-1', projectId: PROJECT });
    expect(headers[WebhookHeader.eventType]).toBe('wallet.created');
    expect(headers[WebhookHeader.signature]).toMatch(/^sha256=[0-9a-f]{64}$/);
    const check = (over: { body?: string; secret?: string }) =>
      verifyWebhookSignature({
        secret: over.secret ?? secret,
        body: over.body ?? body,
        timestamp: headers[WebhookHeader.timestamp] as string,
        signature: headers[WebhookHeader.signature] as string,
      });
    expect(check({})).toBe(true);
    expect(check({ body: body.replace('sig-1', 'sig-2') })).toBe(false);
    expect(check({ secret: `${secret}x` })).toBe(false);
  }, 30_000);

  it('When a webhook is scoped to a project, Then events of other projects are not delivered to it', async () => {
    const r = await receiver();
    await register(r.url, ['batch.completed'], PROJECT);

    const other = await emit('batch.completed', 'scope-other', OTHER_PROJECT);
    const mine = await emit('batch.completed', 'scope-mine', PROJECT);

    await eventually(
      async () => r.received.some((x) => x.headers[WebhookHeader.eventId] === mine),
      Boolean,
    );
    expect(r.received.map((x) => x.headers[WebhookHeader.eventId])).not.toContain(other);
  }, 30_000);

  it('When the receiver is down for a while, Then the delivery is retried with backoff and succeeds once it is back', async () => {
    const port = await freePort();
    const { id: webhookId } = await register(`http://127.0.0.1:${port}/hook`, ['beneficiary.failed']);

    const eventId = await emit('beneficiary.failed', 'down-1');
    const retried = await eventually(
      async () => (await deliveries(`webhookId=${webhookId}`))[0],
      (d) => d?.attempts >= 2,
    );
    expect(retried).toMatchObject({ eventId, status: 'pending', lastError: 'ECONNREFUSED' });

    const r = await receiver(port);
    const delivered = await eventually(
      async () => (await deliveries(`webhookId=${webhookId}`))[0],
      (d) => d.status === 'delivered',
    );
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    expect(delivered.lastStatusCode).toBe(200);
    expect(r.received.map((x) => x.headers[WebhookHeader.eventId])).toContain(eventId);
  }, 60_000);

  it('When every attempt fails, Then the delivery is dead, listed under status=dead, and a re-queue delivers it', async () => {
    const r = await receiver();
    r.status = 503;
    const { id: webhookId } = await register(r.url, ['token.distributed']);

    const eventId = await emit('token.distributed', 'dead-1');
    await eventually(
      async () => (await deliveries(`webhookId=${webhookId}`))[0],
      (d) => d?.status === 'dead',
      60_000,
    );
    const dead = (await deliveries('status=dead&limit=200')).find((d) => d.webhookId === webhookId);
    expect(dead).toMatchObject({ eventId, eventType: 'token.distributed', status: 'dead', attempts: 4, lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(r.received.filter((x) => x.headers[WebhookHeader.eventId] === eventId)).toHaveLength(4);

    r.status = 204;
    const requeued = await call(sys.api.url, 'POST', `/v1/webhooks/deliveries/${dead.id}/retry`);
    expect(requeued.status).toBe(202);
    expect(requeued.body).toMatchObject({ id: dead.id, status: 'pending', attempts: 0 });
    const delivered = await eventually(
      async () => (await deliveries(`webhookId=${webhookId}`))[0],
      (d) => d.status === 'delivered',
    );
    expect(delivered.lastStatusCode).toBe(204);
    expect((await call(sys.api.url, 'POST', `/v1/webhooks/deliveries/${dead.id}/retry`)).status).toBe(409);
  }, 90_000);
});
