import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Contract, NonceManager, parseEther, Wallet } from 'ethers';
import { loadArtifact } from '../contracts/artifacts';
import pino from 'pino';
import { connectProvider } from '../activities/chain/client';
import { issueAccessToken } from '../api/auth/tokens';
import { startApi } from '../api/server';
import { loadConfig } from '../common/config';
import { createDataConverter } from '../common/data-converter';
import { createPrisma } from '../common/db';
import { migrate } from '../prisma/migrate';
import { reconcileBatch } from '../scripts/reconcile/reconcile-batch';
import { ensureContracts } from '../scripts/stack/contracts';
import { startInfrastructure } from '../scripts/stack/infrastructure';
import { DATA_DIR } from '../scripts/stack/paths';
import { spawnWorker } from '../scripts/stack/worker-process';
import { seedActiveBeneficiaries } from '../tests/support/beneficiaries';
import { buildWorkflowBundle } from '../workers/bundle';
import { naiveTransfers, rawDisbursements } from './chain-runs';
import { printReport } from './report';

/**
 * `npm run bench:distribution -- --payouts 100000 --baseline 300`: one batch end to end
 * (CSV upload → every payout confirmed and recorded) against a fresh local stack, with the
 * naive per-beneficiary baseline and the raw-chain ceiling measured in the same run.
 */
const { values: args } = parseArgs({
  options: {
    payouts: { type: 'string', default: '100000' },
    baseline: { type: 'string', default: '300' },
    chunk: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '24' },
  },
});
const N = Number(args.payouts);
const M = Number(args.baseline);
const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(): Promise<void> {
  const infra = await startInfrastructure({
    dataDir: path.join(DATA_DIR, 'bench'),
    persistent: false,
    ports: { temporal: 0, temporalUi: 0, anvil: 0 },
    headless: true,
    isolatedDatabase: true,
    log: say,
  });
  const env = {
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    BLOCKCHAIN_RPC_URL: infra.rpcUrl,
    TEMPORAL_TASK_QUEUE: 'bench',
    PAYOUT_CHUNK_SIZE: args.chunk!,
    BATCH_CONCURRENCY: args.concurrency!,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    API_PORT: '0',
    // 0 turns the worker's Prometheus exporter off: nothing else must be bound here.
    WORKER_METRICS_PORT: '0',
  };
  Object.assign(process.env, env);
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const prisma = createPrisma(config.databaseUrl, { max: 4 });
  const addresses = await ensureContracts({ rpcUrl: config.chain.rpcUrl, signerKey: config.chain.signerKey, prisma });
  const { provider } = await connectProvider(config.chain.rpcUrl);
  // The baseline and the ceiling send from a key of their own, so the engine's nonces stay its own.
  const minter = new NonceManager(new Wallet(config.chain.signerKey, provider));
  const other = Wallet.createRandom().connect(provider);
  await (await minter.sendTransaction({ to: other.address, value: parseEther('100') })).wait();
  const asMinter = new Contract(addresses.token, loadArtifact('RahatToken').abi, minter);
  await (await asMinter.getFunction('grantRole')(await asMinter.getFunction('MINTER_ROLE')(), other.address)).wait();

  say(`baseline: ${M} naive transfers`);
  const baseline = await naiveTransfers(other, addresses.token, M);
  say(`ceiling: ${N} payouts as raw disbursement calls`);
  const ceiling = await rawDisbursements(other, provider, addresses, N, Number(args.chunk));

  say(`engine: seeding ${N} beneficiaries (not timed)`);
  const people = await seedActiveBeneficiaries(prisma, 'bench', N);
  const csv = `beneficiaryId,amount\n${people.map((p) => `${p.id},10`).join('\n')}\n`;
  const admin = randomUUID();
  await prisma.user.create({ data: { id: admin, email: `${admin}@bench.local`, passwordHash: 'x', role: 'ADMIN', projects: [] } });
  const bearer = await issueAccessToken(config.security.jwtSecret, admin);

  // A prebuilt bundle, as in production: bundling at start-up would dominate the worker's peak memory.
  const bundlePath = path.join(DATA_DIR, 'bench', 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, await buildWorkflowBundle());
  const worker = spawnWorker({ ...env, LOG_LEVEL: 'info', WORKFLOW_BUNDLE_PATH: bundlePath });
  while (!worker.output().includes('worker started')) {
    if (worker.child.exitCode !== null) throw new Error(`worker failed to start:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = await startApi(config, pino({ level: 'warn' }));
  const t0 = performance.now();
  const res = await fetch(`${api.url}/v1/distributions/batches/upload?projectId=bench&batchId=bench-1`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${bearer}` },
    body: csv,
  });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  say(`upload of ${N} rows accepted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let status = 'CREATED';
  while (!['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'].includes(status)) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await prisma.distributionBatch.findUniqueOrThrow({ where: { id: 'bench-1' } })).status;
  }
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${worker.child.pid}/status`, 'utf8'))![1]) / 1024;

  const [{ gas }] = await prisma.$queryRaw<{ gas: string }[]>`SELECT coalesce(sum(gas_used), 0)::text AS gas FROM chain_transactions
    WHERE purpose LIKE 'chunk:%'`;
  const connection = await Connection.connect({ address: config.temporal.address });
  let maxHistory = 0;
  let runs = 0;
  for await (const wf of new Client({ connection, dataConverter: createDataConverter(config.pii) }).workflow.list({
    query: 'BatchId = "bench-1"',
  })) {
    runs++;
    maxHistory = Math.max(maxHistory, wf.historyLength);
  }
  const report = await reconcileBatch(prisma, provider, 'bench-1');
  printReport({
    n: N,
    status,
    engine: { payouts: N, seconds, perSecond: N / seconds, gasPerPayout: Number(gas) / N },
    baseline,
    ceiling,
    maxHistory,
    workflowRuns: runs,
    peakRssMb,
    reconciled: report.ok && report.onChainPayouts === N,
  });

  worker.child.kill('SIGTERM');
  await worker.exited;
  await api.close();
  await connection.close();
  provider.destroy();
  await prisma.$disconnect();
  await infra.stop();
}

main().catch((err: unknown) => {
  say(`failed: ${(err as Error).stack}`);
  process.exit(1);
});
