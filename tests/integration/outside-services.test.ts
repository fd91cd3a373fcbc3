import pino from 'pino';
import { WebhookHeader } from '../../activities/webhooks-signature';
import { issueAccessToken } from '../../api/auth/tokens';
import { startApi } from '../../api/server';
import { ANVIL_DEV_KEY, loadConfig } from '../../common/config';
import { recordEvent } from '../../common/outbox';
import { freePort } from '../../scripts/stack/process';
import { answers, startStandIn, type StandInService } from '../support/stand-in-service';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Outside services on the real stack (docs/operations.md, "Outside services"): a webhook that
 * keeps failing opens its circuit breaker, deliveries wait instead of storming it, /health and
 * both /metrics show the open breaker, and everything is delivered once it recovers; in
 * production configuration, webhook URLs that point at internal addresses are refused.
 */

const PROJECT = 'outside-it';
const RESET_SECONDS = 3;
let sys: System;
let workerMetricsPort: number;
let registry: StandInService;
const services: StandInService[] = [];

beforeAll(async () => {
  workerMetricsPort = await freePort();
  registry = await startStandIn(answers.always(503));
  services.push(registry);
  sys = await startSystem({
    IMPORT_PARTNERS: JSON.stringify({ flaky: { url: `${registry.url}/feed` } }),
    WEBHOOK_MAX_ATTEMPTS: '50',
    WEBHOOK_RETRY_INITIAL_SECONDS: '0.5',
    OUTBOUND_BREAKER_THRESHOLD: '3',
    OUTBOUND_BREAKER_RESET_SECONDS: String(RESET_SECONDS),
    WORKER_METRICS_PORT: String(workerMetricsPort),
  });
  await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Outside services' });
}, 90_000);

afterAll(async () => {
  for (const s of services) await s.close();
  await sys?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const health = async () => (await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none' })) as { status: number; body: any };

describe('a webhook that keeps failing', () => {
  it('When its receiver answers 503 for a while, Then its breaker opens, deliveries wait without storming it, /health is degraded (200) and metrics show the breaker; after recovery every event is delivered exactly once', async () => {
    const receiver = await startStandIn(answers.always(503));
    services.push(receiver);
    const created = await call(sys.api.url, 'POST', '/v1/webhooks', {
      url: `${receiver.url}/hook`,
      eventTypes: ['wallet.created'],
      projectId: PROJECT,
    });
    expect(created.status).toBe(201);
    const service = `webhook:${created.body.id}`;
    const eventIds = await sys.prisma.$transaction(async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++)
        ids.push(await recordEvent(tx, { type: 'wallet.created', aggregateId: `storm-${i}`, projectId: PROJECT, data: { i } }));
      return ids;
    });

    // The breaker opens, and /health names it: degraded, still 200.
    const degraded = await eventually(health, (h) => h.body.checks?.services?.breakers?.[service]?.breaker === 'open', 30_000);
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.checks.services).toMatchObject({
      status: 'degraded',
      breakers: { [service]: { status: 'degraded', breaker: 'open', workers: 1 } },
    });
    const apiMetrics = (await call(sys.api.url, 'GET', '/metrics')).body as string;
    expect(apiMetrics).toContain(`rahat_outbound_breaker_state{service="${service}"} 2`);
    const workerMetrics = await eventually(
      async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text(),
      (t) => new RegExp(`rahat_outbound_breaker_state\\{[^}]*service="${service}"[^}]*\\} 2`).test(t),
    );
    expect(workerMetrics).toMatch(/rahat_outbound_requests_total\{[^}]*outcome="http_error"/);

    // While it stays open, the receiver sees the first wave and about one probe per reset period.
    const first = receiver.requests[0]!.at;
    await sleep(4 * RESET_SECONDS * 1000);
    const elapsedResets = (Date.now() - first) / (RESET_SECONDS * 1000);
    // Without a breaker: ~50 requests by now (10 deliveries retried every 0.5, 1, 2, 4 s …).
    expect(receiver.requests.length).toBeLessThanOrEqual(8 + Math.ceil(elapsedResets) + 1);
    const waiting = await sys.prisma.webhookDelivery.findMany({ where: { subscriptionId: created.body.id } });
    expect(waiting.every((d) => d.status === 'PENDING')).toBe(true);

    receiver.answer = answers.always(200);
    const delivered = await eventually(
      () => sys.prisma.webhookDelivery.findMany({ where: { subscriptionId: created.body.id } }),
      (ds) => ds.length === 10 && ds.every((d) => d.status === 'DELIVERED'),
      30_000,
    );

    const ok = receiver.requests.filter((r) => r.answered === 200).map((r) => r.headers[WebhookHeader.eventId]);
    expect([...ok].sort()).toEqual([...eventIds].sort());
    // Only requests that were sent count as attempts: waiting behind the open breaker costs none.
    expect(delivered.reduce((sum, d) => sum + d.attempts, 0)).toBe(receiver.requests.length);
    const recovered = await eventually(health, (h) => h.body.checks.services.breakers[service]?.breaker === 'closed');
    expect(recovered.body.checks.services.breakers[service].status).toBe('up');
  }, 120_000);
});

describe('a partner registry that keeps failing', () => {
  it('When a pull meets a registry answering 503, Then its breaker opens and the import waits (not failed) with about one probe per reset period, and completes once the registry is back', async () => {
    const pulled = await call(sys.api.url, 'POST', '/v1/imports/pull', { projectId: PROJECT, partner: 'flaky', deployWallets: false });
    expect(pulled.status).toBe(202);

    await eventually(health, (h) => h.body.checks?.services?.breakers?.['partner:flaky']?.breaker === 'open', 30_000);
    const first = registry.requests[0]!.at;
    await sleep(3 * RESET_SECONDS * 1000);
    const elapsedResets = (Date.now() - first) / (RESET_SECONDS * 1000);

    // One activity attempt's three tries open it; then Temporal waits for each probe.
    expect(registry.requests.length).toBeLessThanOrEqual(3 + Math.ceil(elapsedResets) + 1);
    const waiting = (await call(sys.api.url, 'GET', pulled.body.links.self)).body;
    expect(waiting.status).not.toMatch(/FAILED|COMPLETED/);

    registry.body = () => ({ items: [{ externalId: 'flaky-1' }, { externalId: 'flaky-2' }], next: null });
    registry.answer = answers.always(200);
    const done = await eventually(
      async () => (await call(sys.api.url, 'GET', pulled.body.links.self)).body,
      (b) => b.status === 'COMPLETED' || b.status === 'FAILED',
      60_000,
    );
    expect(done).toMatchObject({ status: 'COMPLETED', rows: { total: 2, enrolled: 2 } });
  }, 120_000);
});

describe('webhook URLs in production', () => {
  it('When the production configuration is used, Then URLs that point at loopback, private, link-local or metadata addresses are refused with 400 naming body.url, and a public address is accepted', async () => {
    const prod = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      API_PORT: '0',
      TEMPORAL_TASK_QUEUE: sys.config.temporal.taskQueue,
      SIGNER_PRIVATE_KEY: ANVIL_DEV_KEY,
      ID_DERIVATION_KEY: 'i'.repeat(32),
      WALLET_MASTER_SECRET: 'w'.repeat(40),
      WEBHOOK_SECRET_KEY: 's'.repeat(40),
      JWT_SECRET: 'j'.repeat(40),
      PII_ENCRYPTION_KEYS: JSON.stringify(sys.config.pii.encryptionKeys),
      PII_BLIND_INDEX_KEY: sys.config.pii.blindIndexKey,
    });
    const api = await startApi(prod, pino({ level: 'silent' }));
    const auth = { bearer: await issueAccessToken(prod.security.jwtSecret, sys.admin.id) };
    const register = (url: string) =>
      call(api.url, 'POST', '/v1/webhooks', { url, eventTypes: ['wallet.created'], projectId: PROJECT }, { auth });
    try {
      for (const url of [
        'http://127.0.0.1/hook',
        'https://127.0.0.1/hook',
        'http://10.0.0.1/hook',
        'https://10.0.0.1/hook',
        'https://192.168.1.20/hook',
        'https://100.64.0.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'https://169.254.169.254/latest/meta-data',
        'http://[::1]/hook',
        'https://[::1]/hook',
        'https://[::ffff:127.0.0.1]/hook',
        'https://[fd00:ec2::254]/hook',
        'https://0.0.0.0/hook',
        // A name is resolved: localhost is loopback.
        'https://localhost/hook',
      ]) {
        const res = await register(url);
        expect({ url, status: res.status, fields: res.body.errors?.map((e: any) => e.field) }).toEqual({
          url,
          status: 400,
          fields: ['body.url'],
        });
      }
      expect((await register('https://93.184.216.34/hook')).status).toBe(201);
    } finally {
      await api.close();
    }
  }, 60_000);
});
