import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { projectKey } from '../../activities/payouts/refs';
import { fingerprint } from '../../api/idempotency';
import { idFromKey } from '../../api/request-ids';
import { createDataConverter } from '../../common/data-converter';
import { startApi, type RunningApi } from '../../api/server';
import { loadConfig } from '../../common/config';
import { createPrisma, type PrismaClient } from '../../common/db';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { startCountingRoute, type CountingRoute } from '../support/counting-route';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Idempotency-Key on the real router and Postgres, through a route of its own whose handler
 * counts its runs: a replay must not run it, a conflict must not run it, and of concurrent
 * duplicates only one may run. The last block checks the same on the real API.
 */

let prisma: PrismaClient;
let app: CountingRoute;

beforeAll(async () => {
  prisma = createPrisma(process.env.DATABASE_URL!, { max: 4 });
  app = await startCountingRoute(prisma);
});

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
});

beforeEach(() => app.reset());

const post = (key: string | undefined, body: unknown, actor?: string) => app.post(key, body, actor);

describe('Idempotency-Key', () => {
  it('When the same key and body are sent again, Then the first status, body and Location are replayed without running again', async () => {
    const key = randomUUID();

    const first = await post(key, { name: 'a', amount: '1' });
    const again = await post(key, { name: 'a', amount: '1' });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(app.runs()).toBe(1);
  });

  it('When the repeated body differs only in key order and whitespace, Then it is still a replay', async () => {
    const key = randomUUID();

    await post(key, '{"name":"b","amount":"2"}');
    const again = await post(key, '{ "amount" : "2",\n "name": "b" }');

    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(app.runs()).toBe(1);
  });

  it('When the same key comes with a different body, Then 422 problem+json names the key and nothing runs', async () => {
    const key = randomUUID();
    await post(key, { name: 'c', amount: '1' });

    const reused = await post(key, { name: 'c', amount: '2' });

    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body).toMatchObject({ title: 'Idempotency-Key reused', errors: [{ field: 'header.Idempotency-Key' }] });
    expect(app.runs()).toBe(1);
  });

  it('When another caller uses the same key, Then it is a separate request and runs', async () => {
    const key = randomUUID();
    await post(key, { name: 'd' }, 'alice');

    const bob = await post(key, { name: 'd' }, 'bob');

    expect(bob.status).toBe(202);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(app.runs()).toBe(2);
  });

  it('When five duplicates arrive at once, Then exactly one runs, the others get 409 with Retry-After, and a later retry replays it', async () => {
    const key = randomUUID();
    let open!: () => void;
    app.hold(new Promise((r) => (open = r)));

    let answered = 0;
    const pending = Array.from({ length: 5 }, () => post(key, { name: 'e' }).finally(() => (answered += 1)));
    // The winner's handler is held at the gate until the four others have been answered
    // (or 10 s have passed, if more than one got through: the assertions below then fail).
    const deadline = Date.now() + 10_000;
    while (answered < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    open();
    const results = await Promise.all(pending);

    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409]);
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.headers.get('retry-after')).toBe('1');
      expect(loser.body.title).toBe('Request in progress');
    }
    expect(app.runs()).toBe(1);
    const later = await post(key, { name: 'e' });
    expect(later.status).toBe(202);
    expect(later.body).toEqual(results.find((r) => r.status === 202)!.body);
  });

  const recordOf = (key: string, actor = 'alice') =>
    prisma.idempotencyRecord.findUnique({ where: { actor_key: { actor: `user:${actor}`, key } } });
  const printOf = (body: unknown) => fingerprint({ method: 'POST', baseUrl: '', path: '/v1/things', query: {}, body });

  it('When the first attempt answers 5xx, Then its lease ends at once but the key stays bound: the same request runs again, another is 422', async () => {
    const key = randomUUID();
    app.failNext(503);

    const failed = await post(key, { name: 'f' });
    const record = await recordOf(key);
    const other = await post(key, { name: 'f', amount: '9' });
    const retried = await post(key, { name: 'f' });
    const replayed = await post(key, { name: 'f' });

    expect(failed.status).toBe(503);
    expect(record).toMatchObject({ fingerprint: printOf({ name: 'f' }), responseStatus: null });
    expect(record!.lockedUntil!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(other.status).toBe(422);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(retried.body);
    expect(app.runs()).toBe(2);
  });

  it('When the handler throws, Then the answer is a 500 and, as after a 5xx, a retry of the same request runs again at once', async () => {
    const key = randomUUID();
    app.throwNext();

    const failed = await post(key, { name: 'j' });
    const retried = await post(key, { name: 'j' });

    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(retried.status).toBe(202);
    expect(app.runs()).toBe(2);
  });

  it('When the first attempt answers 4xx, Then the key is freed: its record is gone and the key may carry another request', async () => {
    const key = randomUUID();
    app.failNext(400);

    const refused = await post(key, { name: 'k' });
    const record = await recordOf(key);
    const other = await post(key, { name: 'k', amount: '2' });

    expect(refused.status).toBe(400);
    expect(record).toBeNull();
    expect(other.status).toBe(202);
    expect(app.runs()).toBe(2);
  });

  it('When a request runs for several leases, Then its instance keeps renewing the lease and a duplicate still gets 409', async () => {
    const key = randomUUID();
    let open!: () => void;
    app.hold(new Promise((r) => (open = r)));

    const started = Date.now();
    const first = post(key, { name: 'l' });
    await new Promise((r) => setTimeout(r, app.lease.leaseMs * 3));
    const lockedUntil = (await recordOf(key))!.lockedUntil!;
    const duplicate = await post(key, { name: 'l' });
    open();
    const answered = await first;
    const later = await post(key, { name: 'l' });

    // Renewed far past the first lease, which ended at started + leaseMs.
    expect(lockedUntil.getTime()).toBeGreaterThan(started + app.lease.leaseMs * 3);
    expect(duplicate.status).toBe(409);
    expect(answered.status).toBe(202);
    expect(later.body).toEqual(answered.body);
    expect(app.runs()).toBe(1);
    expect((await recordOf(key))!.lockedUntil).toBeNull();
  });

  it('When the holder of a key died (its lease ran out), Then a retry of the same request takes it over and runs; another request with the key is 422', async () => {
    const key = randomUUID();
    const body = { name: 'm' };
    await prisma.idempotencyRecord.create({
      data: {
        actor: 'user:alice',
        key,
        fingerprint: printOf(body),
        createdAt: new Date(Date.now() - 120_000),
        expiresAt: new Date(Date.now() + 3600_000),
        lockedUntil: new Date(Date.now() - 1000),
      },
    });

    const other = await post(key, { name: 'm', amount: '1' });
    const runsAfterOther = app.runs();
    const retried = await post(key, body);

    expect(other.status).toBe(422);
    expect(runsAfterOther).toBe(0);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(app.runs()).toBe(1);
    expect(await recordOf(key)).toMatchObject({ responseStatus: 202, lockedUntil: null });
  });

  it.each([
    ['younger than 60 s counts as running: 409', 30_000, 409, 0],
    ['older than 60 s is taken over and runs', 90_000, 202, 1],
  ])('When a record written before leases existed (no locked_until) is %s', async (_, age, status, runs) => {
    const key = randomUUID();
    const body = { name: 'n' };
    await prisma.idempotencyRecord.create({
      data: {
        actor: 'user:alice',
        key,
        fingerprint: printOf(body),
        createdAt: new Date(Date.now() - age),
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });

    const res = await post(key, body);

    expect(res.status).toBe(status);
    expect(app.runs()).toBe(runs);
  });

  it('When the stored answer has expired, Then the key runs again', async () => {
    const key = randomUUID();
    await post(key, { name: 'g' });
    await prisma.idempotencyRecord.updateMany({ where: { key }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const again = await post(key, { name: 'g' });

    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(app.runs()).toBe(2);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['empty', ''],
    ['not printable ASCII', 'clé-ü'],
  ])('When the key is %s, Then 400 names the header and nothing runs', async (_, key) => {
    const res = await post(key, { name: 'h' });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'header.Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }]);
    expect(app.runs()).toBe(0);
  });

  it('When no key is sent, Then every request runs', async () => {
    await post(undefined, { name: 'i' });
    await post(undefined, { name: 'i' });

    expect(app.runs()).toBe(2);
  });
});

describe('Idempotency-Key on the real API', () => {
  let sys: System;
  let temporal: Client;
  // A partner registry for pulls: one page of one person per request, so each pull imports one.
  const feed = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ items: [{ externalId: `feed-${randomUUID()}` }], next: null }));
  });

  beforeAll(async () => {
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed`;
    sys = await startSystem({ IMPORT_PARTNERS: JSON.stringify({ feed: { url, token: 't' } }) });
    temporal = new Client({
      connection: await Connection.connect({ address: sys.config.temporal.address }),
      namespace: sys.config.temporal.namespace,
      dataConverter: createDataConverter(sys.config.pii),
    });
    await call(sys.api.url, 'POST', '/v1/projects', { id: 'idem-it', name: 'Idempotency' });
  }, 90_000);

  afterAll(async () => {
    await temporal?.connection.close();
    await sys?.stop();
    await new Promise((r) => feed.close(r));
  });

  it('When a registration is retried with its key, Then the 202 is replayed and Temporal saw one start', async () => {
    const key = randomUUID();
    const body = { projectId: 'idem-it', externalId: `idem-${randomUUID()}` };

    const first = await call(sys.api.url, 'POST', '/v1/beneficiaries', body, { headers: { 'idempotency-key': key } });
    const again = await call(sys.api.url, 'POST', '/v1/beneficiaries', body, { headers: { 'idempotency-key': key } });
    const reused = await call(
      sys.api.url,
      'POST',
      '/v1/beneficiaries',
      { ...body, externalId: 'other' },
      { headers: { 'idempotency-key': key } },
    );

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(reused.status).toBe(422);
    const metrics = await call(sys.api.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(/rahat_workflow_starts_total\{workflow_type="registerBeneficiaryWorkflow",outcome="started"\} 1\n/);
  }, 30_000);

  const csvHeaders = (key: string) => ({ 'idempotency-key': key, 'content-type': 'text/csv' });
  const batchesOf = (projectId: string) => sys.prisma.distributionBatch.findMany({ where: { projectId } });

  it('When a CSV batch upload is sent twice with one key, Then the first answer is replayed and one batch exists; another body with that key is 422', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-upload', 300);
    const csv = `beneficiaryId,amount\n${people.map((p) => `${p.id},5`).join('\n')}\n`;
    const key = randomUUID();
    const path = '/v1/distributions/batches/upload?projectId=idem-upload';

    const first = await call(sys.api.url, 'POST', path, csv, { headers: csvHeaders(key) });
    const again = await call(sys.api.url, 'POST', path, csv, { headers: csvHeaders(key) });
    const other = await call(sys.api.url, 'POST', path, csv.replace(/,5\n/, ',6\n'), { headers: csvHeaders(key) });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(other.status).toBe(422);
    expect(other.body.errors[0].field).toBe('header.Idempotency-Key');
    expect((await batchesOf('idem-upload')).map((b) => b.id)).toEqual([first.body.id]);
  }, 60_000);

  it('When an import upload is sent twice with one key, Then one import exists and the answer is replayed', async () => {
    const key = randomUUID();
    const csv = `externalId,name\nidem-imp-${randomUUID()},Asha\nidem-imp-${randomUUID()},Bina\n`;
    const path = '/v1/imports?projectId=idem-it&deployWallets=false';

    const first = await call(sys.api.url, 'POST', path, csv, { headers: csvHeaders(key) });
    const again = await call(sys.api.url, 'POST', path, csv, { headers: csvHeaders(key) });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(await sys.prisma.beneficiaryImport.count({ where: { projectId: 'idem-it', source: 'csv' } })).toBe(1);
  }, 60_000);

  it('When the idempotency record of a batch is lost and the request is retried with its key, Then the same batch answers and no second one is made', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-lost', 2);
    const key = randomUUID();
    const body = { projectId: 'idem-lost', beneficiaryIds: people.map((p) => p.id), amount: '4' };

    const first = await call(sys.api.url, 'POST', '/v1/distributions/batches', body, { headers: { 'idempotency-key': key } });
    await sys.prisma.idempotencyRecord.deleteMany({ where: { key } });
    const again = await call(sys.api.url, 'POST', '/v1/distributions/batches', body, { headers: { 'idempotency-key': key } });

    expect(first.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect((await batchesOf('idem-lost')).map((b) => b.id)).toEqual([first.body.id]);
  }, 60_000);

  it('When a budget increase with a key is retried after its record is lost, Then one operation is made and the chain raises the allowance once; another body with the key is 422', async () => {
    await seedActiveBeneficiaries(sys.prisma, 'idem-budget', 1);
    const allowance = async () => BigInt(await sys.treasury.getFunction('allowance')(projectKey('idem-budget')));
    const before = await allowance();
    const key = randomUUID();
    const path = '/v1/projects/idem-budget/budget';

    const first = await call(sys.api.url, 'POST', path, { increase: '7' }, { headers: { 'idempotency-key': key } });
    await sys.prisma.idempotencyRecord.deleteMany({ where: { key } });
    const again = await call(sys.api.url, 'POST', path, { increase: '7' }, { headers: { 'idempotency-key': key } });
    await sys.prisma.idempotencyRecord.deleteMany({ where: { key } });
    const other = await call(sys.api.url, 'POST', path, { increase: '8' }, { headers: { 'idempotency-key': key } });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(other.status).toBe(422);
    await eventually(
      async () => (await call(sys.api.url, 'GET', first.body.links.self)).body.status,
      (st) => st === 'CONFIRMED',
      60_000,
    );
    expect(await sys.prisma.treasuryOperation.count({ where: { projectId: 'idem-budget' } })).toBe(1);
    expect((await allowance()) - before).toBe(7n);
  }, 90_000);

  it('When a batch was written but its workflow could not start, Then the retry with the key starts that batch and makes no second one', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-down', 2);
    await sys.fundProject('idem-down');
    const key = randomUUID();
    const body = { projectId: 'idem-down', beneficiaryIds: people.map((p) => p.id), amount: '4' };
    // An API instance whose Temporal is unreachable, over the same database.
    const downApi: RunningApi = await startApi(
      loadConfig({ ...process.env, API_PORT: '0', TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_TASK_QUEUE: sys.config.temporal.taskQueue }),
      pino({ level: 'silent' }),
    );
    const bearer = await sys.adminToken();
    try {
      const failed = await call(downApi.url, 'POST', '/v1/distributions/batches', body, {
        auth: { bearer },
        headers: { 'idempotency-key': key },
      });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      await downApi.close();
    }
    const retried = await call(sys.api.url, 'POST', '/v1/distributions/batches', body, { headers: { 'idempotency-key': key } });

    expect(retried.status).toBe(202);
    const batches = await batchesOf('idem-down');
    expect(batches.map((b) => b.id)).toEqual([retried.body.id]);
    await eventually(
      async () => (await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id: retried.body.id } })).status,
      (s) => s === 'COMPLETED',
      60_000,
    );
  }, 90_000);

  it('When a batch was written but its workflow never started and no retry came, Then the sweep starts it and it is paid once', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-orphan', 2);
    await sys.fundProject('idem-orphan');
    const failed = await withTemporalDown((url, bearer) =>
      call(
        url,
        'POST',
        '/v1/distributions/batches',
        { projectId: 'idem-orphan', batchId: 'idem-orphan-1', beneficiaryIds: people.map((p) => p.id), amount: '6' },
        { auth: { bearer } },
      ),
    );
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect((await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id: 'idem-orphan-1' } })).status).toBe('CREATED');
    // Older than the sweep's grace period, as if it had waited for a minute.
    await sys.prisma.$executeRaw`UPDATE distribution_batches SET updated_at = now() - interval '2 minutes' WHERE id = 'idem-orphan-1'`;
    const connection = await Connection.connect({ address: sys.config.temporal.address });
    try {
      const client = new Client({ connection, dataConverter: createDataConverter(sys.config.pii) });
      // The worker registered its sweep; run one sweep now rather than wait for the schedule.
      const schedule = await client.schedule.getHandle(`sweep-orphans-${sys.config.temporal.taskQueue}`).describe();
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'orphanSweepWorkflow' });
      const swept = await client.workflow.execute('orphanSweepWorkflow', {
        taskQueue: sys.config.temporal.taskQueue,
        workflowId: `sweep-now-${randomUUID()}`,
        args: [],
      });
      expect(swept).toMatchObject({ batches: 1 });
    } finally {
      await connection.close();
    }
    await eventually(
      async () => (await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id: 'idem-orphan-1' } })).status,
      (s) => s === 'COMPLETED',
      60_000,
    );
    for (const p of people) expect(await sys.token.balanceOf(p.address)).toBe(6n);
  }, 90_000);

  it('When a request with the key is still being handled (its holder alive) after a minute, Then a duplicate gets 409 and does not run it again', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-slow', 1);
    const key = randomUUID();
    const body = { projectId: 'idem-slow', beneficiaryIds: [people[0]!.id], amount: '4' };
    const print = fingerprint({ method: 'POST', baseUrl: '', path: '/v1/distributions/batches', query: {}, body });
    const actor = `user:${sys.admin.id}`;
    // The first request started two minutes ago and is still running: its lock is fresh.
    await sys.prisma.idempotencyRecord.create({
      data: {
        actor,
        key,
        fingerprint: print,
        createdAt: new Date(Date.now() - 120_000),
        expiresAt: new Date(Date.now() + 3600_000),
        lockedUntil: new Date(Date.now() + 30_000),
      },
    });

    const duplicate = await call(sys.api.url, 'POST', '/v1/distributions/batches', body, { headers: { 'idempotency-key': key } });

    expect(duplicate.status).toBe(409);
    expect(await batchesOf('idem-slow')).toEqual([]);
  }, 30_000);

  const keyed = (key: string) => ({ headers: { 'idempotency-key': key } });
  const finished = (id: string) =>
    eventually(
      () => sys.prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } }),
      (i) => Boolean(i.finishedAt),
      60_000,
    );
  /** An API instance whose Temporal is unreachable, over the same database. */
  async function withTemporalDown<T>(act: (url: string, bearer: string) => Promise<T>): Promise<T> {
    const down = await startApi(
      loadConfig({ ...process.env, API_PORT: '0', TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_TASK_QUEUE: sys.config.temporal.taskQueue }),
      pino({ level: 'silent' }),
    );
    try {
      return await act(down.url, await sys.adminToken());
    } finally {
      await down.close();
    }
  }

  it('When a batch with a caller-given batchId and no key is sent again, Then the same 202 answers and nothing new is made; another body with that batchId is 409', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-own-id', 2);
    const batchId = `own-${randomUUID()}`;
    const body = { projectId: 'idem-own-id', batchId, beneficiaryIds: people.map((p) => p.id), amount: '3' };

    const first = await call(sys.api.url, 'POST', '/v1/distributions/batches', body);
    const again = await call(sys.api.url, 'POST', '/v1/distributions/batches', body);
    const other = await call(sys.api.url, 'POST', '/v1/distributions/batches', { ...body, amount: '4' });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(`/v1/distributions/batches/${batchId}`);
    expect(other.status).toBe(409);
    expect(other.body.errors).toEqual([{ field: 'body.batchId', message: 'already used' }]);
    expect(await sys.prisma.payout.count({ where: { batchId } })).toBe(2);
  }, 30_000);

  it('When a CSV upload with a caller-given batchId and no key is sent again, Then it answers the same; another file with that batchId is 409 on query.batchId', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-own-csv', 3);
    const batchId = `own-csv-${randomUUID()}`;
    const path = `/v1/distributions/batches/upload?projectId=idem-own-csv&batchId=${batchId}`;
    const csv = people.map((p) => `${p.id},2`).join('\n');
    const headers = { 'content-type': 'text/csv' };

    const first = await call(sys.api.url, 'POST', path, csv, { headers });
    const again = await call(sys.api.url, 'POST', path, csv, { headers });
    const other = await call(sys.api.url, 'POST', path, csv.replace(/,2$/, ',3'), { headers });

    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(other.status).toBe(409);
    expect(other.body.errors).toEqual([{ field: 'query.batchId', message: 'already used' }]);
    expect(await sys.prisma.payout.count({ where: { batchId } })).toBe(3);
  }, 30_000);

  it('When batches are made inline, for a group and from a CSV, Then payouts.seq numbers them from 0 in the order of the request', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-seq', 6);
    const shuffled = [people[3]!, people[0]!, people[5]!, people[1]!, people[4]!, people[2]!].map((p) => p.id);
    const seqOrder = async (batchId: string) =>
      (await sys.prisma.payout.findMany({ where: { batchId }, orderBy: { seq: 'asc' } })).map((p) => [p.seq, p.beneficiaryId]);
    const numbered = (ids: string[]) => ids.map((id, i) => [i, id]);
    const group = (await call(sys.api.url, 'POST', '/v1/groups', { projectId: 'idem-seq', name: 'seq' })).body.id;
    await call(sys.api.url, 'POST', `/v1/groups/${group}/members`, { beneficiaryIds: shuffled });

    const inline = await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'idem-seq',
      payouts: shuffled.map((beneficiaryId) => ({ beneficiaryId, amount: '1' })),
    });
    const listed = await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'idem-seq',
      beneficiaryIds: shuffled,
      amount: '1',
    });
    const grouped = await call(sys.api.url, 'POST', '/v1/distributions/batches', { projectId: 'idem-seq', groupId: group, amount: '1' });
    // A header, a blank line and the file's own order.
    const csv = `beneficiaryId,amount\n${shuffled.slice(0, 3).join(',1\n')},1\n\n${shuffled.slice(3).join(',1\n')},1\n`;
    const uploaded = await call(sys.api.url, 'POST', '/v1/distributions/batches/upload?projectId=idem-seq', csv, {
      headers: { 'content-type': 'text/csv' },
    });

    expect(await seqOrder(inline.body.id)).toEqual(numbered(shuffled));
    expect(await seqOrder(listed.body.id)).toEqual(numbered(shuffled));
    expect(await seqOrder(grouped.body.id)).toEqual(numbered([...shuffled].sort()));
    expect(grouped.body.payouts).toBe(6);
    expect(await seqOrder(uploaded.body.id)).toEqual(numbered(shuffled));
  }, 30_000);

  it('When a finished batch is asked for again, even while the database still says RUNNING, Then its workflow is not run again', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'idem-done', 1);
    await sys.fundProject('idem-done');
    const body = { projectId: 'idem-done', batchId: `done-${randomUUID()}`, beneficiaryIds: [people[0]!.id], amount: '2' };
    const first = await call(sys.api.url, 'POST', '/v1/distributions/batches', body);
    await eventually(
      async () => (await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id: body.batchId } })).status,
      (s) => s === 'COMPLETED',
      60_000,
    );
    const handle = temporal.workflow.getHandle(first.body.workflowId);
    const run = (await handle.describe()).runId;

    const again = await call(sys.api.url, 'POST', '/v1/distributions/batches', body);
    await sys.prisma.distributionBatch.update({ where: { id: body.batchId }, data: { status: 'RUNNING' } });
    const lagging = await call(sys.api.url, 'POST', '/v1/distributions/batches', body);
    await sys.prisma.distributionBatch.update({ where: { id: body.batchId }, data: { status: 'COMPLETED' } });

    expect(again.body).toEqual(first.body);
    expect(lagging.status).toBe(202);
    expect(lagging.body).toEqual(first.body);
    const latest = await handle.describe();
    expect(latest.runId).toBe(run);
    expect(latest.status.name).toBe('COMPLETED');
    expect(await sys.token.balanceOf(people[0]!.address)).toBe(2n);
  }, 90_000);

  it('When an import upload is refused (400) and sent again with its key, Then it is refused again; the fixed file with that key is imported', async () => {
    const key = randomUUID();
    const path = '/v1/imports?projectId=idem-it&deployWallets=false';
    const fixed = `externalId,name\nidem-fix-${randomUUID()},Asha\n`;

    const refused = await call(sys.api.url, 'POST', path, 'externalId,name\nbad,"unterminated\n', { headers: csvHeaders(key) });
    const again = await call(sys.api.url, 'POST', path, 'externalId,name\nbad,"unterminated\n', { headers: csvHeaders(key) });
    const imported = await call(sys.api.url, 'POST', path, fixed, { headers: csvHeaders(key) });

    expect(refused.status).toBe(400);
    expect(again.status).toBe(400);
    expect(again.body.detail).toBe(refused.body.detail);
    expect(imported.status).toBe(202);
    expect(await finished(imported.body.id)).toMatchObject({ status: 'COMPLETED', enrolledRows: 1 });
    // The refused file's import, staged again: no second import for the key.
    expect(imported.body.id).toBe(idFromKey({ actor: `user:${sys.admin.id}`, route: 'POST /v1/imports', key }));
  }, 60_000);

  it('When an import upload died mid-staging (left RECEIVING, rows half written), Then the retry with the key takes over, restages it from the retried body and runs it', async () => {
    const key = randomUUID();
    const csv = `externalId,name\nidem-re-${randomUUID()},Asha\nidem-re-${randomUUID()},Bina\n`;
    const query = { projectId: 'idem-it', deployWallets: 'false' };
    const print = fingerprint(
      { method: 'POST', baseUrl: '', path: '/v1/imports', query, body: undefined },
      { contentType: 'text/csv', sha256: createHash('sha256').update(csv).digest('hex') },
    );
    const actor = `user:${sys.admin.id}`;
    const id = idFromKey({ actor, route: 'POST /v1/imports', key });
    // What the API that died left: its import, a row it had staged, and its record, lease run out.
    await sys.prisma.beneficiaryImport.create({
      data: { id, projectId: 'idem-it', source: 'csv', dryRun: false, deployWallets: false, chunkSize: 100, requestFingerprint: print },
    });
    await sys.prisma.importRow.create({
      data: { importId: id, rowNumber: 9, status: 'INVALID', errors: [{ field: '(row)', message: 'stale' }] },
    });
    await sys.prisma.idempotencyRecord.create({
      data: { actor, key, fingerprint: print, expiresAt: new Date(Date.now() + 3600_000), lockedUntil: new Date(Date.now() - 1000) },
    });

    const retried = await call(sys.api.url, 'POST', `/v1/imports?${new URLSearchParams(query)}`, csv, { headers: csvHeaders(key) });

    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, rows: 2, invalidRows: 0 });
    expect(await finished(id)).toMatchObject({ status: 'COMPLETED', totalRows: 2, enrolledRows: 2 });
    expect((await sys.prisma.importRow.findMany({ where: { importId: id } })).map((r) => r.rowNumber)).toEqual([1, 2]);
  }, 90_000);

  it('When an import was staged but its workflow could not start, Then the retry with the key starts it, staging nothing twice', async () => {
    const key = randomUUID();
    const csv = `externalId,name\nidem-down-${randomUUID()},Asha\nidem-down-${randomUUID()},Bina\n`;
    const path = '/v1/imports?projectId=idem-it&deployWallets=false';

    const failed = await withTemporalDown((url, bearer) => call(url, 'POST', path, csv, { auth: { bearer }, headers: csvHeaders(key) }));
    const retried = await call(sys.api.url, 'POST', path, csv, { headers: csvHeaders(key) });

    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: 'VALIDATING', rows: 2, invalidRows: 0 });
    expect(await finished(retried.body.id)).toMatchObject({ status: 'COMPLETED', enrolledRows: 2 });
    expect(await sys.prisma.importRow.count({ where: { importId: retried.body.id } })).toBe(2);
  }, 90_000);

  it('When a pull with a key is sent twice, and again after its record is lost, Then one import is made and pulled once; another body with the key is 422, record or not', async () => {
    const key = randomUUID();
    const body = { projectId: 'idem-it', partner: 'feed', deployWallets: false };

    const first = await call(sys.api.url, 'POST', '/v1/imports/pull', body, keyed(key));
    const again = await call(sys.api.url, 'POST', '/v1/imports/pull', body, keyed(key));
    await finished(first.body.id);
    await sys.prisma.idempotencyRecord.deleteMany({ where: { key } });
    const lost = await call(sys.api.url, 'POST', '/v1/imports/pull', body, keyed(key));
    // With no record left either, the import made for the key is what refuses another body.
    await sys.prisma.idempotencyRecord.deleteMany({ where: { key } });
    const other = await call(sys.api.url, 'POST', '/v1/imports/pull', { ...body, dryRun: true }, keyed(key));

    expect(first.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(lost.status).toBe(202);
    expect(lost.body).toEqual(first.body);
    expect(other.status).toBe(422);
    expect(other.body.errors[0].field).toBe('header.Idempotency-Key');
    expect(await sys.prisma.beneficiaryImport.count({ where: { source: 'partner:feed' } })).toBe(1);
    expect(await finished(first.body.id)).toMatchObject({ status: 'COMPLETED', enrolledRows: 1 });
  }, 90_000);
});
