import { loadConfig } from '../common/config';
import { createPrisma } from '../common/db';
import { createLogger } from '../common/logger';
import { migrate } from '../prisma/migrate';
import { developmentAdmin, ensureFirstAdmin } from '../api/auth/bootstrap';
import { startApi } from '../api/server';
import { installTemporalLogging } from '../workers/main';
import { workerTelemetry } from '../workers/metrics';
import { startWorker } from '../workers/worker';
import { ensureContracts } from './stack/contracts';
import { spawnWorker } from './stack/worker-process';
import { startInfrastructure } from './stack/infrastructure';
import { DATA_DIR } from './stack/paths';

/**
 * `npm start`: the whole stack on one machine. Services named by TEMPORAL_ADDRESS,
 * DATABASE_URL or BLOCKCHAIN_RPC_URL are used as they are; the others start locally with
 * their data under .data/ (DATA_DIR), so a restart keeps beneficiaries, history and chain.
 */
async function main(): Promise<void> {
  const say = (msg: string) => process.stdout.write(`[stack] ${msg}\n`);
  const infra = await startInfrastructure({
    dataDir: DATA_DIR,
    persistent: true,
    ports: { temporal: 7233, temporalUi: 8233, anvil: 8545 },
    headless: false,
    // The Web UI shows encrypted payloads in clear through the API's codec endpoint.
    codecEndpoint: `http://127.0.0.1:${process.env.API_PORT || 3000}/codec`,
    log: say,
  });
  let stopping = false;
  const stops: (() => Promise<void>)[] = [infra.stop];
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const s of stops.reverse()) await s().catch((err: Error) => say(`stop failed: ${err.message}`));
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  try {
    Object.assign(process.env, {
      DATABASE_URL: infra.databaseUrl,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      BLOCKCHAIN_RPC_URL: infra.rpcUrl,
    });
    // The admin key is the operator's here (deployment) and the admin worker's: it leaves this
    // process's environment before the payout worker and the API start (docs/keys.md).
    const adminConfig = loadConfig(process.env, { adminWorker: true });
    const adminKey = adminConfig.admin!.privateKey;
    delete process.env.ADMIN_PRIVATE_KEY;
    const config = loadConfig();
    const logger = createLogger({ level: config.logLevel, env: config.env, name: 'stack' });
    const applied = await migrate(config.databaseUrl);
    say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
    const prisma = createPrisma(config.databaseUrl, { max: 2 });
    const addresses = await ensureContracts({
      rpcUrl: config.chain.rpcUrl,
      adminKey,
      hotSigner: adminConfig.admin!.hotSigner,
      prisma,
      logger,
    });
    // Development convenience: an admin with a random password, shown once below (never logged).
    const devAdmin = config.env === 'development' && !config.security.bootstrapAdmin ? developmentAdmin() : undefined;
    const devAdminCreated = devAdmin ? await ensureFirstAdmin(prisma, devAdmin) : undefined;
    await prisma.$disconnect();
    say(
      `contracts: token ${addresses.token}, treasury ${addresses.treasury}, forwarder ${addresses.forwarder}, wallet factory ${addresses.walletFactory}`,
    );
    installTemporalLogging(logger, workerTelemetry(config.workerMetrics));
    // Its own process, with the admin key and only the hot key's address.
    const admin = spawnWorker(
      { ADMIN_PRIVATE_KEY: adminKey, SIGNER_ADDRESS: adminConfig.admin!.hotSigner, SIGNER_PRIVATE_KEY: '' },
      'workers/admin-main.ts',
    );
    stops.push(async () => {
      admin.child.kill('SIGTERM');
      await admin.exited;
    });
    void admin.exited.then((code) => {
      if (!stopping) say(`admin worker exited (${String(code)}):\n${admin.output()}`);
    });
    const worker = await startWorker(config, logger);
    stops.push(worker.shutdown);
    const api = await startApi(config, logger);
    stops.push(api.close);
    say(`API:              ${api.url}   (try: curl ${api.url}/health)`);
    if (devAdmin && devAdminCreated) {
      say(`Admin user:       ${devAdmin.email}   password: ${devAdmin.password}   (shown this once; see README for the login curl)`);
    }
    say(`Admin worker:     pid ${admin.child.pid}, task queue ${config.temporal.taskQueue}-admin (holds the admin key; docs/keys.md)`);
    say(`Temporal Web UI:  ${infra.temporalUiUrl ?? '(external Temporal at ' + config.temporal.address + ')'}`);
    say(`                  payloads stay encrypted there until you sign in at ${api.url}/codec/login (steps on that page)`);
    say(`Temporal:         ${config.temporal.address}   PostgreSQL: ${redact(config.databaseUrl)}   Chain: ${config.chain.rpcUrl}`);
    say('Ctrl-C stops everything.');
    void worker.done.catch((err: Error) => {
      say(`worker failed: ${err.message}`);
      void shutdown(1);
    });
  } catch (err) {
    say(`start-up failed: ${(err as Error).message}`);
    await shutdown(1);
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

void main();
