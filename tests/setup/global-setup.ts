import path from 'node:path';
import { loadConfig } from '../../common/config';
import { createPrisma } from '../../common/db';
import { migrate } from '../../prisma/migrate';
import { ensureContracts } from '../../scripts/stack/contracts';
import { startInfrastructure } from '../../scripts/stack/infrastructure';
import { DATA_DIR } from '../../scripts/stack/paths';

/**
 * The real stack for workflow and integration tests: Temporal dev server (in memory),
 * a fresh database (on DATABASE_URL's server or an embedded PostgreSQL), anvil, migrations
 * and deployed contracts. Tests read the addresses from the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  const log = (msg: string) => process.stderr.write(`[test-stack] ${msg}\n`);
  const infra = await startInfrastructure({
    dataDir: path.join(DATA_DIR, 'test'),
    persistent: false,
    ports: { temporal: 0, temporalUi: 0, anvil: 0 },
    headless: true,
    isolatedDatabase: true,
    log,
  });
  (globalThis as { __stack?: typeof infra }).__stack = infra;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    BLOCKCHAIN_RPC_URL: infra.rpcUrl,
  });
  const config = loadConfig(process.env, { adminWorker: true });
  await migrate(config.databaseUrl);
  const prisma = createPrisma(config.databaseUrl, { max: 1 });
  try {
    await ensureContracts({ rpcUrl: config.chain.rpcUrl, adminKey: config.admin!.privateKey, hotSigner: config.admin!.hotSigner, prisma });
  } finally {
    await prisma.$disconnect();
  }
}
