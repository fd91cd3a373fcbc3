import { randomUUID } from 'node:crypto';
import { Contract, JsonRpcProvider } from 'ethers';
import pino from 'pino';
import { startApi, type RunningApi } from '../../api/server';
import { loadConfig, type Config } from '../../common/config';
import { resolveContractAddresses } from '../../common/contract-addresses';
import { createPrisma, type PrismaClient } from '../../common/db';
import { loadArtifact } from '../../contracts/artifacts';
import { installTemporalLogging } from '../../workers/main';
import { startWorker, type RunningWorker } from '../../workers/worker';

export interface System {
  config: Config;
  api: RunningApi;
  worker: RunningWorker;
  prisma: PrismaClient;
  provider: JsonRpcProvider;
  token: Contract;
  treasury: Contract;
  stop(): Promise<void>;
}

/**
 * The real API and worker, in this test process, against the stack of the global setup.
 * Each suite gets its own task queue so suites never pick up each other's workflows.
 */
export async function startSystem(overrides: Record<string, string> = {}): Promise<System> {
  const config = loadConfig({ ...process.env, API_PORT: '0', TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`, ...overrides });
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  quietTemporal(logger);
  const worker = await startWorker(config, logger);
  const api = await startApi(config, logger);
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  const provider = new JsonRpcProvider(config.chain.rpcUrl);
  const addresses = await resolveContractAddresses(config, prisma, Number((await provider.getNetwork()).chainId));
  return {
    config,
    api,
    worker,
    prisma,
    provider,
    token: new Contract(addresses.token, loadArtifact('RahatToken').abi, provider),
    treasury: new Contract(addresses.treasury, loadArtifact('RahatTreasury').abi, provider),
    async stop() {
      await api.close();
      await worker.shutdown();
      provider.destroy();
      await prisma.$disconnect();
    },
  };
}

/** JSON over HTTP with the status, for asserting on both. */
export async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Polls until `done` holds for the value, or fails naming the last value seen. */
export async function eventually<T>(get: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

let runtimeInstalled = false;
/** The SDK's runtime is process-wide and installs once; route its lines into the test logger. */
function quietTemporal(logger: pino.Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  installTemporalLogging(logger);
}
