import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { issueAccessToken } from '../api/auth/tokens';
import { startApi } from '../api/server';
import { loadConfig } from '../common/config';
import { createPrisma } from '../common/db';
import { migrate } from '../prisma/migrate';
import { ensureContracts } from '../scripts/stack/contracts';
import { startInfrastructure } from '../scripts/stack/infrastructure';
import { DATA_DIR } from '../scripts/stack/paths';
import { spawnWorker } from '../scripts/stack/worker-process';
import { buildWorkflowBundle } from '../workers/bundle';

/**
 * `npm run bench:import -- --rows 100000 [--deploy]`: one bulk import end to end against a
 * fresh local stack — a generated CSV streamed to the API (parse, validate, encrypt, stage),
 * then the workflow (dedupe, derive owner keys and wallet addresses, enrol in chunks). Prints
 * rows/s and the peak memory of the API and worker processes. --deploy also times the batch
 * deployment of every wallet contract, which the 60 s target does not include.
 */
const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, deploy: { type: 'boolean', default: false } },
});
const ROWS = Number(args.rows);
const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const GENDERS = ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'];

/** The CSV, generated as it is sent: the bench holds no more of it than the API does. */
function csv(rows: number): Readable {
  return Readable.from(
    (function* () {
      yield 'externalId,name,phone,email,nationalId,gender,birthDate,location,bankedStatus\n';
      for (let i = 1; i <= rows; i += 1000) {
        let block = '';
        for (let n = i; n < Math.min(i + 1000, rows + 1); n++) {
          block += `bench-${n},Person Number ${n},+97798${String(n).padStart(8, '0')},person${n}@example.org,NP-${n},${GENDERS[n % 4]},1990-01-${String((n % 28) + 1).padStart(2, '0')},Ward ${n % 33},UNBANKED\n`;
        }
        yield block;
      }
    })(),
  );
}

const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

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
    TEMPORAL_TASK_QUEUE: 'bench-import',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    API_PORT: '0',
    WORKER_METRICS_PORT: '0',
  };
  Object.assign(process.env, env);
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  await ensureContracts({ rpcUrl: config.chain.rpcUrl, signerKey: config.chain.signerKey, prisma });
  await prisma.project.create({ data: { id: 'bench', name: 'Import benchmark' } });
  const admin = randomUUID();
  await prisma.user.create({ data: { id: admin, email: `${admin}@bench.local`, passwordHash: 'x', role: 'ADMIN', projects: [] } });
  const bearer = await issueAccessToken(config.security.jwtSecret, admin);
  // A prebuilt bundle, as in production, so bundling does not count in the worker's memory.
  const bundlePath = path.join(DATA_DIR, 'bench', 'import-workflow-bundle.js');
  fs.writeFileSync(bundlePath, await buildWorkflowBundle());
  const worker = spawnWorker({ ...env, LOG_LEVEL: 'info', WORKFLOW_BUNDLE_PATH: bundlePath });
  while (!worker.output().includes('worker started')) {
    if (worker.child.exitCode !== null) throw new Error(`worker failed to start:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = await startApi(config, pino({ level: 'warn' }));
  const apiRssBefore = process.memoryUsage().rss / 2 ** 20;

  say(`importing ${ROWS} rows`);
  const t0 = performance.now();
  const res = await fetch(`${api.url}/v1/imports?projectId=bench&deployWallets=${args.deploy}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${bearer}` },
    body: Readable.toWeb(csv(ROWS)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const staged = performance.now();
  let imp = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } });
  const enrolledStates = ['DEPLOYING_WALLETS', 'COMPLETED', 'CANCELLED', 'FAILED'];
  while (!enrolledStates.includes(imp.status)) {
    await new Promise((r) => setTimeout(r, 100));
    imp = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } });
  }
  const enrolled = performance.now();
  while (!imp.finishedAt) {
    await new Promise((r) => setTimeout(r, 500));
    imp = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } });
  }
  const done = performance.now();
  const seconds = (enrolled - t0) / 1000;
  const report = {
    rows: ROWS,
    status: imp.status,
    enrolled: imp.enrolledRows,
    rejected: imp.invalidRows + imp.duplicateRows + imp.failedRows,
    uploadAndStageSeconds: +((staged - t0) / 1000).toFixed(1),
    validateAndEnrolSeconds: +((enrolled - staged) / 1000).toFixed(1),
    endToEndSeconds: +seconds.toFixed(1),
    rowsPerSecond: Math.round(ROWS / seconds),
    ...(args.deploy ? { walletsDeployed: imp.walletsDeployed, deploySeconds: +((done - enrolled) / 1000).toFixed(1) } : {}),
    peakRssMb: {
      api: Math.round(process.resourceUsage().maxRSS / 1024),
      apiAtStart: Math.round(apiRssBefore),
      worker: Math.round(peakRssMb(worker.child.pid!)),
    },
    target: `${seconds < 60 ? 'met' : 'MISSED'}: under 60 s for 100,000 rows`,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `\n${ROWS} rows in ${seconds.toFixed(1)} s = ${report.rowsPerSecond} rows/s; peak RSS api ${report.peakRssMb.api} MB, worker ${report.peakRssMb.worker} MB\n`,
  );

  worker.child.kill('SIGTERM');
  await worker.exited;
  await api.close();
  await prisma.$disconnect();
  await infra.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
