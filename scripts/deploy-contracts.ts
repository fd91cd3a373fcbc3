import { parseUnits } from 'ethers';
import { ConfigError, loadConfig } from '../common/config';
import { createPrisma } from '../common/db';
import { invalidationPublisher } from '../common/hot-cache';
import { createLogger } from '../common/logger';
import { closeRedis, createRedis } from '../common/redis';
import { ensureContracts } from './stack/contracts';

/**
 * `npm run contracts:deploy [-- --initial-supply <tokens>]`: compiles and deploys the core
 * contracts to BLOCKCHAIN_RPC_URL with ADMIN_PRIVATE_KEY (the hot key, SIGNER_ADDRESS, gets only
 * the treasury's disburser role), recording addresses in the database.
 * Idempotent: contracts already deployed with the same code are reused. Running API instances
 * are told through Redis to read the recorded addresses again (they cache them).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { adminWorker: true });
  const logger = createLogger({ level: config.logLevel, env: config.env, name: 'deploy' });
  const flag = process.argv.indexOf('--initial-supply');
  const supply = flag > 0 ? parseUnits(process.argv[flag + 1] ?? '', 18) : undefined;
  const prisma = createPrisma(config.databaseUrl, { max: 1 });
  const redis = createRedis(config.redis, logger.child({ component: 'redis' }));
  try {
    const addresses = await ensureContracts({
      rpcUrl: config.chain.rpcUrl,
      adminKey: config.admin!.privateKey,
      hotSigner: config.admin!.hotSigner,
      prisma,
      initialTreasurySupply: supply,
      logger,
      changed: invalidationPublisher(redis, config.redis.keyPrefix, logger),
    });
    process.stdout.write(`${JSON.stringify(addresses)}\n`);
  } finally {
    await closeRedis(redis);
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exitCode = 1;
});
