import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { issueAccessToken } from '../api/auth/tokens';
import { loadConfig, type Config } from '../common/config';
import { createPrisma, type PrismaClient } from '../common/db';
import type { CoreAddresses } from '../contracts/deploy';
import { migrate } from '../prisma/migrate';
import { ensureContracts } from '../scripts/stack/contracts';
import { startInfrastructure, type Infrastructure } from '../scripts/stack/infrastructure';
import { DATA_DIR } from '../scripts/stack/paths';
import { spawnWorker } from '../scripts/stack/worker-process';
import { buildWorkflowBundle } from '../workers/bundle';

export const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Peak resident memory of a process so far (VmHWM), in MB. */
export const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export interface BenchStack {
  infra: Infrastructure;
  env: Record<string, string>;
  config: Config;
  prisma: PrismaClient;
  addresses: CoreAddresses;
  /** A bearer token of an admin created for the run. */
  bearer: string;
  /** The worker as its own process on a prebuilt bundle (as in production), once it is polling. */
  startWorker(): Promise<ReturnType<typeof spawnWorker>>;
  /** The admin worker as its own process (the only one with the admin key), once it is polling. */
  startAdminWorker(): Promise<ReturnType<typeof spawnWorker>>;
}

/** A fresh local stack for one benchmark run, like the tests' global set-up. */
export async function startBenchStack(taskQueue: string, env: Record<string, string> = {}): Promise<BenchStack> {
  const infra = await startInfrastructure({
    dataDir: path.join(DATA_DIR, 'bench'),
    persistent: false,
    ports: { temporal: 0, temporalUi: 0, anvil: 0 },
    headless: true,
    isolatedDatabase: true,
    log: say,
  });
  const fullEnv = {
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    BLOCKCHAIN_RPC_URL: infra.rpcUrl,
    TEMPORAL_TASK_QUEUE: taskQueue,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    API_PORT: '0',
    // 0 turns the worker's Prometheus exporter off: nothing else must be bound here.
    WORKER_METRICS_PORT: '0',
    ...env,
  };
  Object.assign(process.env, fullEnv);
  const config = loadConfig(process.env, { adminWorker: true });
  await migrate(config.databaseUrl);
  const prisma = createPrisma(config.databaseUrl, { max: 4 });
  const addresses = await ensureContracts({
    rpcUrl: config.chain.rpcUrl,
    adminKey: config.admin!.privateKey,
    hotSigner: config.admin!.hotSigner,
    prisma,
  });
  const admin = randomUUID();
  await prisma.user.create({ data: { id: admin, email: `${admin}@bench.local`, passwordHash: 'x', role: 'ADMIN', projects: [] } });
  const bearer = await issueAccessToken(config.security.jwtSecret, admin);
  return {
    infra,
    env: fullEnv,
    config,
    prisma,
    addresses,
    bearer,
    async startWorker() {
      // Bundling at start-up would dominate the worker's peak memory; production prebuilds it.
      const bundlePath = path.join(DATA_DIR, 'bench', `${taskQueue}-workflow-bundle.js`);
      fs.writeFileSync(bundlePath, await buildWorkflowBundle());
      return started(spawnWorker({ ...fullEnv, LOG_LEVEL: 'info', WORKFLOW_BUNDLE_PATH: bundlePath }), 'worker started');
    },
    startAdminWorker: () =>
      started(
        spawnWorker({ ...fullEnv, LOG_LEVEL: 'info', ADMIN_PRIVATE_KEY: config.admin!.privateKey }, 'workers/admin-main.ts'),
        'admin worker started',
      ),
  };
}

async function started(worker: ReturnType<typeof spawnWorker>, line: string): Promise<ReturnType<typeof spawnWorker>> {
  while (!worker.output().includes(line)) {
    if (worker.child.exitCode !== null) throw new Error(`worker failed to start:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return worker;
}
