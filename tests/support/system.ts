import { randomUUID } from 'node:crypto';
import { Contract, JsonRpcProvider } from 'ethers';
import pino from 'pino';
import { hashPassword } from '../../api/auth/passwords';
import { toDbRole } from '../../api/auth/roles';
import { issueAccessToken } from '../../api/auth/tokens';
import { startApi, type RunningApi } from '../../api/server';
import { loadConfig, type Config } from '../../common/config';
import { resolveContractAddresses } from '../../common/contract-addresses';
import { createPrisma, type PrismaClient } from '../../common/db';
import { loadArtifact } from '../../contracts/artifacts';
import { installTemporalLogging } from '../../workers/main';
import { workerTelemetry } from '../../workers/metrics';
import { startAdminWorker } from '../../workers/admin-worker';
import { startWorker, type RunningWorker } from '../../workers/worker';

export interface System {
  config: Config;
  api: RunningApi;
  /** Undefined when the suite runs its worker elsewhere (startSystem(…, { worker: false })). */
  worker?: RunningWorker;
  /** The admin key's worker (in this process for tests; its own process in a deployment). */
  adminWorker?: RunningWorker & { address: string };
  /** Starts the admin worker when it does not run (startSystem(…, { adminWorker: false }), or after stopAdminWorker). */
  startAdminWorker(): Promise<RunningWorker & { address: string }>;
  stopAdminWorker(): Promise<void>;
  /** Gives the project a budget (the hot key's allowance) through the API, as an admin would; waits until it is on chain. */
  fundProject(projectId: string, amount?: bigint): Promise<void>;
  prisma: PrismaClient;
  provider: JsonRpcProvider;
  token: Contract;
  treasury: Contract;
  /** An admin user created for the suite; `call()` to this API acts as it by default. */
  admin: { id: string; email: string; password: string };
  /** A fresh access token of the admin. */
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

/** How `call()` authenticates: the suite's admin by default. */
export type CallAuth = 'admin' | 'none' | { bearer: string } | { apiKey: string };

const adminTokens = new Map<string, () => Promise<string>>();

/**
 * The real API and worker, in this test process, against the stack of the global setup.
 * Each suite gets its own task queue so suites never pick up each other's workflows.
 */
export async function startSystem(
  overrides: Record<string, string> = {},
  opts: { logger?: pino.Logger; worker?: boolean; adminWorker?: boolean } = {},
): Promise<System> {
  // The worker's Prometheus exporter stays off unless a suite asks for it (WORKER_METRICS_PORT).
  // Suites share one Redis: their rate limits and cache messages stay apart under a prefix each.
  const suite = `test-${randomUUID()}`;
  const config = loadConfig({
    ...process.env,
    API_PORT: '0',
    TEMPORAL_TASK_QUEUE: suite,
    REDIS_KEY_PREFIX: `${suite}:`,
    WORKER_METRICS_PORT: '0',
    ...overrides,
  });
  const logger = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  quietTemporal(logger, workerTelemetry(config.workerMetrics));
  const worker = opts.worker === false ? undefined : await startWorker(config, logger);
  const adminConfig = loadConfig(
    { ...process.env, ...overrides, API_PORT: '0', TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, WORKER_METRICS_PORT: '0' },
    { adminWorker: true },
  );
  let adminWorker = opts.adminWorker === false ? undefined : await startAdminWorker(adminConfig, logger);
  const api = await startApi(config, logger);
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  const provider = new JsonRpcProvider(config.chain.rpcUrl);
  const addresses = await resolveContractAddresses(config, prisma, Number((await provider.getNetwork()).chainId));
  const admin = { id: randomUUID(), email: `admin-${randomUUID()}@test.local`, password: randomUUID() };
  await prisma.user.create({
    data: { id: admin.id, email: admin.email, passwordHash: await hashPassword(admin.password), role: toDbRole('admin'), projects: [] },
  });
  let token: { value: string; at: number } | undefined;
  const adminToken = async () => {
    // Re-issued well before the 15 minutes are up, so long suites never send an expired one.
    if (!token || Date.now() - token.at > 5 * 60_000)
      token = { value: await issueAccessToken(config.security.jwtSecret, admin.id), at: Date.now() };
    return token.value;
  };
  adminTokens.set(api.url, adminToken);
  const funded = new Set<string>();
  /** POST /v1/projects/:id/budget as the suite's admin, then wait until the admin worker applied it on chain. */
  async function requestBudget(projectId: string, amount: bigint) {
    const res = await call(api.url, 'POST', `/v1/projects/${projectId}/budget`, { increase: amount.toString() });
    if (res.status !== 202) throw new Error(`budget for ${projectId}: ${res.status} ${JSON.stringify(res.body)}`);
    const op = await eventually(
      async () => (await call(api.url, 'GET', res.body.links.self)).body,
      (o) => o.status !== 'PENDING',
      60_000,
    );
    if (op.status !== 'CONFIRMED') throw new Error(`budget for ${projectId} failed: ${JSON.stringify(op)}`);
  }
  return {
    config,
    api,
    worker,
    get adminWorker() {
      return adminWorker;
    },
    async startAdminWorker() {
      adminWorker ??= await startAdminWorker(adminConfig, logger);
      return adminWorker;
    },
    async stopAdminWorker() {
      await adminWorker?.shutdown();
      adminWorker = undefined;
    },
    async fundProject(projectId: string, amount = 10n ** 28n) {
      if (funded.has(projectId)) return;
      await prisma.project.upsert({ where: { id: projectId }, create: { id: projectId, name: projectId }, update: {} });
      // The admin workflow needs a workflow worker: a suite that runs its own elsewhere gets one for this.
      const temporary = worker ? undefined : await startWorker(config, logger);
      try {
        await requestBudget(projectId, amount);
      } finally {
        await temporary?.shutdown();
      }
      funded.add(projectId);
    },
    prisma,
    provider,
    token: new Contract(addresses.token, loadArtifact('RahatToken').abi, provider),
    treasury: new Contract(addresses.treasury, loadArtifact('RahatTreasury').abi, provider),
    admin,
    adminToken,
    async stop() {
      adminTokens.delete(api.url);
      await api.close();
      await worker?.shutdown();
      await adminWorker?.shutdown();
      provider.destroy();
      await prisma.$disconnect();
    },
  };
}

/**
 * JSON over HTTP with the status, for asserting on both. Authenticates as the suite's admin
 * unless `opts.auth` says otherwise; a string body is sent as it is.
 */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  opts: { auth?: CallAuth; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const auth = opts.auth ?? 'admin';
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  const adminToken = adminTokens.get(base);
  if (auth === 'admin' && adminToken) headers.authorization = `Bearer ${await adminToken()}`;
  else if (typeof auth === 'object' && 'bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
  else if (typeof auth === 'object') headers['x-api-key'] = auth.apiKey;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...opts.headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? parseOrText(text) : undefined, headers: res.headers };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
function quietTemporal(logger: pino.Logger, telemetry: ReturnType<typeof workerTelemetry>): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  installTemporalLogging(logger, telemetry);
}
