import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { startApi } from '../../api/server';
import type { Config } from '../../common/config';
import { freePort } from '../../scripts/stack/process';
import { startTestRedis } from '../support/redis-server';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Operations on the real stack: /health with Redis, /v1/queues from Temporal, the API's and
 * the worker's Prometheus metrics, the docs, and one request id from the API's log lines into
 * the worker's. Logs of the whole run are captured (debug level) to look for that id.
 */

const PROJECT = 'ops-it';
const lines: Record<string, unknown>[] = [];
let sys: System;
let workerMetricsPort: number;

beforeAll(async () => {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  workerMetricsPort = await freePort();
  sys = await startSystem({ WORKER_METRICS_PORT: String(workerMetricsPort) }, { logger });
  await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Operations' });
}, 90_000);

afterAll(async () => {
  await sys?.stop();
});

/** Starts one registration workflow and waits for it to finish, whatever its outcome. */
async function registerAndWait(requestId: string): Promise<string> {
  const res = await call(
    sys.api.url,
    'POST',
    '/v1/beneficiaries',
    { projectId: PROJECT, externalId: `ops-${randomUUID()}` },
    {
      headers: { 'x-request-id': requestId },
    },
  );
  expect(res.status).toBe(202);
  await eventually(
    async () => (await call(sys.api.url, 'GET', res.body.links.self)).body,
    (b) => b.status !== 'PENDING' && !b.workflow,
    60_000,
  );
  return res.body.workflowId as string;
}

describe('request id', () => {
  it("When the API starts a workflow, Then the request's id is in the API's log line and in the worker's log lines for that workflow", async () => {
    const requestId = `req-${randomUUID()}`;

    const workflowId = await registerAndWait(requestId);

    const mine = lines.filter((l) => l.requestId === requestId);
    expect(mine.filter((l) => l.msg === 'request' && l.method === 'POST')).toHaveLength(1);
    const activityLines = mine.filter((l) => l.component === 'activity');
    expect(activityLines.length).toBeGreaterThanOrEqual(2);
    expect(activityLines.every((l) => l.workflowId === workflowId)).toBe(true);
    expect(new Set(activityLines.map((l) => l.activity)).size).toBeGreaterThanOrEqual(2);
    // The SDK's own workflow lines carry it too (through the workflow interceptor's log attributes).
    expect(mine.some((l) => l.component === 'temporal-sdk' && l.workflowId === workflowId)).toBe(true);
    // Every worker line of that workflow carries it, except the SDK's two "started" lines,
    // which it writes before any interceptor has seen the headers (docs/operations.md).
    const without = lines.filter((l) => l.workflowId === workflowId && l.requestId !== requestId);
    expect([...new Set(without.map((l) => l.msg))].sort()).toEqual(['Activity started', 'Workflow started']);
    expect(without.every((l) => l.component === 'temporal-sdk')).toBe(true);
  }, 90_000);
});

describe('GET /health', () => {
  it('When every dependency is up, Then Redis is among the checks, up and timed', async () => {
    const res = await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none' });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.checks).sort()).toEqual(['chain', 'database', 'redis', 'services', 'signer', 'signers', 'temporal']);
    expect(res.body.checks.redis).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    expect(res.body.status).toBe('ok');
    expect(res.body.degraded).toEqual([]);
  });

  /** An API of its own on `config`, answering /health; closed afterwards, `settleMs` later. */
  async function healthOf(config: Config, until: (h: { status: number; body: any }) => boolean = () => true, settleMs = 0) {
    const api = await startApi(config, pino({ level: 'silent' }));
    try {
      return await eventually(() => call(api.url, 'GET', '/health', undefined, { auth: 'none' }), until, 20_000);
    } finally {
      await new Promise((r) => setTimeout(r, settleMs));
      await api.close();
    }
  }

  it('When Redis is down, Then 200 "degraded" naming redis: the API stays in the load balancer', async () => {
    const redis = await startTestRedis();
    try {
      await redis.stop();
      const res = await healthOf(
        { ...sys.config, redis: { ...sys.config.redis, port: redis.port } },
        (h) => h.body?.checks?.redis?.status === 'down',
      );

      expect(res.status).toBe(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.degraded).toEqual([{ check: 'redis', reason: expect.stringContaining('redis') }]);
      expect(res.body.checks.database.status).toBe('up');
      expect(res.body.checks.temporal.status).toBe('up');
    } finally {
      await redis.dispose();
    }
  }, 30_000);

  it('When Temporal is unreachable, Then 503 "unavailable" naming temporal in down', async () => {
    const deadTemporal = `127.0.0.1:${await freePort()}`;

    // The Temporal client schedules one more retry past the probe's deadline; closing before it
    // fires would make it throw on the closed channel.
    const res = await healthOf({ ...sys.config, temporal: { ...sys.config.temporal, address: deadTemporal } }, undefined, 4000);

    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.down).toEqual([{ check: 'temporal', reason: expect.any(String) }]);
    expect(res.body.checks.database.status).toBe('up');
  }, 30_000);

  it('When the head block is older than HEALTH_CHAIN_LAG_SECONDS, Then 200 "degraded" naming the chain and the age of its head', async () => {
    // The test chain mines only when a transaction comes, so its head ages by itself.
    const res = await healthOf({ ...sys.config, health: { chainLagMs: 1000 } } as Config, (h) =>
      (h.body?.degraded ?? []).some((d: { check: string }) => d.check === 'chain'),
    );

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.checks.chain).toMatchObject({ status: 'degraded', headBlock: expect.any(Number), headAgeSeconds: expect.any(Number) });
    expect(res.body.degraded).toContainEqual({ check: 'chain', reason: expect.stringMatching(/head block .* s old/) });
  }, 30_000);
});

describe('GET /v1/queues', () => {
  it('When read, Then the task queue shows workflow and activity pollers, a backlog figure, and workflows by type and status', async () => {
    const queue = await eventually(
      async () => (await call(sys.api.url, 'GET', '/v1/queues')).body.queues?.[0],
      (q) => q?.workflows?.eventRelayWorkflow?.running === 1 && q.pollers.activity.length > 0,
    );

    expect(queue.name).toBe(sys.config.temporal.taskQueue);
    expect(queue.pollers.workflow.length).toBeGreaterThan(0);
    expect(queue.pollers.workflow[0]).toEqual({
      identity: expect.any(String),
      lastAccessTime: expect.any(String),
      ratePerSecond: expect.any(Number),
    });
    for (const kind of ['workflow', 'activity']) expect(queue.backlog[kind] === null || typeof queue.backlog[kind] === 'number').toBe(true);
    expect(Object.keys(queue.workflows)).toEqual(expect.arrayContaining(['eventRelayWorkflow', 'registerBeneficiaryWorkflow']));
    expect(queue.workflows.registerBeneficiaryWorkflow).toMatchObject({ running: expect.any(Number), failed: expect.any(Number) });
  }, 60_000);

  it('When called without credentials, Then 401', async () => {
    expect((await call(sys.api.url, 'GET', '/v1/queues', undefined, { auth: 'none' })).status).toBe(401);
  });

  it('When Temporal does not answer, Then 503 problem+json rather than a 500', async () => {
    const deadTemporal = `127.0.0.1:${await freePort()}`;
    const api = await startApi(
      {
        ...sys.config,
        api: { ...sys.config.api, host: '127.0.0.1', port: 0 },
        temporal: { ...sys.config.temporal, address: deadTemporal },
      },
      pino({ level: 'silent' }),
    );
    try {
      const res = await call(api.url, 'GET', '/v1/queues', undefined, { auth: { bearer: await sys.adminToken() } });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail).toMatch(/^Temporal did not answer/);
    } finally {
      await api.close();
    }
  }, 30_000);
});

describe('metrics', () => {
  it('When the API is scraped, Then it shows request latency by route template, workflow starts and the payouts gauge', async () => {
    await registerAndWait(`req-${randomUUID()}`);

    const res = await call(sys.api.url, 'GET', '/metrics');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toMatch(
      /rahat_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/beneficiaries\/:id",status="200"\}/,
    );
    expect(res.body).toMatch(/rahat_workflow_starts_total\{workflow_type="registerBeneficiaryWorkflow",outcome="started"\} \d+/);
    expect(res.body).toContain('# TYPE rahat_payouts gauge');
    expect(res.body).not.toMatch(/route="\/v1\/beneficiaries\/[0-9a-f]{8}-/);
  }, 90_000);

  it('When /metrics is called without credentials, Then 401: request rates are not public', async () => {
    expect((await call(sys.api.url, 'GET', '/metrics', undefined, { auth: 'none' })).status).toBe(401);
  });

  it("When the worker's endpoint is scraped, Then it shows the SDK's workflow completions by type and chain call latency", async () => {
    await registerAndWait(`req-${randomUUID()}`);
    await sys.provider.getBlockNumber();

    const text = await eventually(
      async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text(),
      (t) =>
        /temporal_workflow_(completed|failed)_total\{[^}]*workflow_type="registerBeneficiaryWorkflow"/.test(t) &&
        t.includes('rahat_chain_call'),
    );

    expect(text).toMatch(/rahat_chain_call_duration_seconds_bucket\{[^}]*method="eth_blockNumber"[^}]*\}/);
    expect(text).toMatch(/temporal_workflow_task_execution_latency_seconds_bucket/);
  }, 60_000);
});

describe('docs', () => {
  it('When /openapi.json is fetched without credentials, Then it is the OpenAPI 3.1 document of this API', async () => {
    const res = await call(sys.api.url, 'GET', '/openapi.json', undefined, { auth: 'none' });

    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/webhooks', '/v1/queues', '/metrics']));
  });

  it('When /docs is opened, Then the page and every script and stylesheet it loads are served from this API', async () => {
    const page = await fetch(`${sys.api.url}/docs`);
    const html = await page.text();

    expect(page.headers.get('content-type')).toContain('text/html');
    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    // The empty inline favicon ("data:,") keeps the browser from asking for /favicon.ico; it loads nothing.
    const assets = links.filter((l) => l !== 'data:,');
    expect(links.length - assets.length).toBe(1);
    expect(assets).toEqual(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']);
    for (const asset of assets) {
      const res = await fetch(`${sys.api.url}${asset}`);
      const bytes = (await res.arrayBuffer()).byteLength;
      expect({ asset, status: res.status, empty: bytes === 0 }).toEqual({ asset, status: 200, empty: false });
    }
    expect(html).not.toMatch(/<script>[^<]/);
  });
});
