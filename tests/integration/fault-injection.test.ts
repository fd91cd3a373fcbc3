import { Client } from 'pg';
import { JsonRpcProvider } from 'ethers';
import { reconcileBatch } from '../../scripts/reconcile/reconcile-batch';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { startRpcProxy } from '../support/rpc-proxy';
import { call, eventually, startSystem, type System } from '../support/system';
import { spawnWorker } from '../../scripts/stack/worker-process';
import { startTemporal, type TemporalServer } from '../../scripts/stack/temporal';
import { freePort } from '../../scripts/stack/process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Exactly once under faults: after each scenario the on-chain Payout events (not only the
 * database) must show every payout paid once, with database and chain in agreement.
 */
const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chain = new JsonRpcProvider(process.env.BLOCKCHAIN_RPC_URL);

async function startBatch(sys: System, batchId: string, count: number, amount: string) {
  // A project per suite: its own disbursement contract, named after the suite's task queue.
  const projectId = sys.config.temporal.taskQueue.slice(5, 30);
  const people = await seedActiveBeneficiaries(sys.prisma, projectId, count);
  await sys.fundProject(projectId);
  const res = await call(sys.api.url, 'POST', '/v1/distributions/batches', {
    projectId,
    batchId,
    beneficiaryIds: people.map((p) => p.id),
    amount,
  });
  expect(res.status).toBe(202);
  return people;
}

const batchStatus = async (sys: System, id: string) => (await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id } })).status;

async function expectPaidExactlyOnce(sys: System, batchId: string, people: { address: string }[], amount: bigint) {
  const report = await reconcileBatch(sys.prisma, chain, batchId);
  expect(report).toMatchObject({ ok: true, payouts: people.length, confirmed: people.length, onChainPayouts: people.length });
  expect(await batchStatus(sys, batchId)).toBe('COMPLETED');
  const token = sys.token.connect(chain) as typeof sys.token;
  for (const p of people) expect(await token.balanceOf(p.address)).toBe(amount);
}

afterAll(() => chain.destroy());

describe('When the worker is killed with -9 at random points of a running batch, several times', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({ PAYOUT_CHUNK_SIZE: '10', BATCH_CONCURRENCY: '3' }, { worker: false });
  }, 60_000);
  afterAll(async () => sys?.stop());

  it('Then after restarts every payout is paid exactly once and DB and chain agree', async () => {
    const people = await startBatch(sys, 'fault-kill', 300, '11');
    const env = {
      TEMPORAL_TASK_QUEUE: sys.config.temporal.taskQueue,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
    };
    let killedByTest = 0;
    let crashedItself = 0;
    const deadline = Date.now() + 300_000;
    for (let run = 0; !FINAL.includes(await batchStatus(sys, 'fault-kill')) && Date.now() < deadline; run++) {
      const faulty = run < 6;
      const w = spawnWorker({
        ...env,
        FAULT_INJECTION: faulty ? 'crash-after-sign:0.04,crash-after-broadcast:0.04,crash-after-mined:0.04,crash-before-settle:0.04' : '',
      });
      const killAt = faulty ? 6000 + Math.random() * 6000 : Infinity;
      const started = Date.now();
      let exit: unknown;
      w.exited.then(
        (e) => (exit = e),
        () => undefined,
      );
      while (exit === undefined && Date.now() - started < killAt && !FINAL.includes(await batchStatus(sys, 'fault-kill'))) await sleep(250);
      if (exit === 'SIGKILL') crashedItself++;
      else if (exit === undefined) {
        if (Date.now() - started >= killAt) {
          w.child.kill('SIGKILL');
          killedByTest++;
        } else w.child.kill('SIGTERM');
        await w.exited;
      } else throw new Error(`worker exited with ${String(exit)}:\n${w.output()}`);
    }
    expect(killedByTest + crashedItself).toBeGreaterThanOrEqual(3);
    await expectPaidExactlyOnce(sys, 'fault-kill', people, 11n);
  }, 360_000);
});

describe('When an RPC proxy fails, drops and delays a share of the calls', () => {
  let sys: System;
  let proxy: Awaited<ReturnType<typeof startRpcProxy>>;
  beforeAll(async () => {
    proxy = await startRpcProxy(process.env.BLOCKCHAIN_RPC_URL!);
    sys = await startSystem({
      PAYOUT_CHUNK_SIZE: '10',
      BATCH_CONCURRENCY: '3',
      BLOCKCHAIN_RPC_URL: proxy.url,
      TX_STUCK_AFTER_SECONDS: '3',
    });
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await proxy?.close();
  });

  it('Then every payout is still paid exactly once and DB and chain agree', async () => {
    const people = await startBatch(sys, 'fault-rpc', 120, '13');
    proxy.setFaults({ fail: 0.1, drop: 0.05, dropAfter: 0.1, delay: 0.2, maxDelayMs: 1500 });
    await eventually(
      () => batchStatus(sys, 'fault-rpc'),
      (s) => FINAL.includes(s),
      240_000,
    );
    proxy.setFaults({});
    expect(proxy.stats.failed + proxy.stats.dropped + proxy.stats.droppedAfter).toBeGreaterThan(10);
    expect(proxy.stats.droppedAfter).toBeGreaterThan(0);
    await expectPaidExactlyOnce(sys, 'fault-rpc', people, 13n);
  }, 300_000);
});

describe("When the worker's Postgres connections are dropped mid-batch", () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({ PAYOUT_CHUNK_SIZE: '10', BATCH_CONCURRENCY: '3' });
  }, 60_000);
  afterAll(async () => sys?.stop());

  it('Then every payout is still paid exactly once and DB and chain agree', async () => {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    let terminated = 0;
    try {
      const people = await startBatch(sys, 'fault-pg', 200, '17');
      while (!FINAL.includes(await batchStatus(sys, 'fault-pg'))) {
        const r = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'rahat-worker' AND pid <> pg_backend_pid()`,
        );
        terminated += r.rowCount ?? 0;
        await sleep(400);
      }
      expect(terminated).toBeGreaterThan(3);
      await expectPaidExactlyOnce(sys, 'fault-pg', people, 17n);
    } finally {
      await admin.end();
    }
  }, 300_000);
});

describe('When the Temporal server is killed with -9 mid-batch and restarted on the same database file', () => {
  let temporal: TemporalServer;
  let sys: System;
  let dir: string;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'temporal-kill-'));
    port = await freePort();
    temporal = await startTemporal({ dbFile: path.join(dir, 'temporal.db'), port, headless: true });
    sys = await startSystem({ TEMPORAL_ADDRESS: temporal.address, PAYOUT_CHUNK_SIZE: '10', BATCH_CONCURRENCY: '2' });
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await temporal?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Then the batch completes after the restart and every payout is paid exactly once', async () => {
    const people = await startBatch(sys, 'fault-temporal', 200, '19');
    await eventually(
      () => sys.prisma.payout.count({ where: { batchId: 'fault-temporal', status: 'CONFIRMED' } }),
      (n) => n >= 30,
      60_000,
    );
    process.kill(temporal.pid!, 'SIGKILL');
    await sleep(2000);
    const confirmedWhileDown = await sys.prisma.payout.count({ where: { batchId: 'fault-temporal', status: 'CONFIRMED' } });
    expect(confirmedWhileDown).toBeLessThan(200);
    temporal = await startTemporal({ dbFile: path.join(dir, 'temporal.db'), port, headless: true });
    await eventually(
      () => batchStatus(sys, 'fault-temporal'),
      (s) => FINAL.includes(s),
      120_000,
    );
    await expectPaidExactlyOnce(sys, 'fault-temporal', people, 19n);
  }, 200_000);
});
