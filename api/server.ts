import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { createVault } from '../common/crypto/vault';
import { createDataConverter } from '../common/data-converter';
import { createPrisma } from '../common/db';
import { EncryptionCodec } from '../common/payload-codec';
import { createLogger, type Logger } from '../common/logger';
import { closeRedis, createRedis } from '../common/redis';
import { requestIdClientInterceptor } from '../common/request-context-client';
import { createSecretBox } from '../common/secret-box';
import { computeAddress } from 'ethers';
import { createApp } from './app';
import { createChainReader } from './chain-reader';
import { createAuthenticator } from './auth/authenticator';
import { ensureFirstAdmin } from './auth/bootstrap';
import { createApiMetrics, workflowStartsInterceptor } from './metrics';
import type { RouteSpec } from './route-spec';
import { createTemporalGateway } from './temporal';

export interface RunningApi {
  url: string;
  /** The route table this API serves. */
  routes: RouteSpec[];
  close(): Promise<void>;
}

export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  const prisma = createPrisma(config.databaseUrl, { applicationName: 'rahat-api' });
  const metrics = createApiMetrics({ prisma });
  const vault = createVault(config.pii);
  const temporal = createTemporalGateway({ ...config.temporal, dataConverter: createDataConverter(config.pii) }, [
    requestIdClientInterceptor(),
    workflowStartsInterceptor(metrics),
  ]);
  const redis = createRedis(config.redis, logger.child({ component: 'redis' }));
  if (config.security.bootstrapAdmin && (await ensureFirstAdmin(prisma, config.security.bootstrapAdmin)))
    logger.info('first admin user created from ADMIN_EMAIL');
  const chain = createChainReader(config, prisma);
  const app = createApp({
    prisma,
    temporal,
    rpcUrl: config.chain.rpcUrl,
    chain,
    hotSigner: computeAddress(config.chain.signerKey),
    stuckAfterMs: config.distribution.stuckAfterMs,
    logger,
    taskQueue: config.temporal.taskQueue,
    auth: createAuthenticator({ prisma, security: config.security, logger }),
    security: config.security,
    distribution: config.distribution,
    redis,
    metrics,
    secrets: createSecretBox(config.webhooks.secretKey),
    privacy: { vault, codec: new EncryptionCodec(vault.keyRing), codecCorsOrigins: config.codecCorsOrigins },
    idDerivationKey: config.idDerivationKey,
    imports: { chunkSize: config.imports.chunkSize, partners: Object.keys(config.imports.partners) },
  });
  const server = app.listen(config.api.port, config.api.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.api.host}:${port}`;
  logger.info({ url }, 'api listening');
  return {
    url,
    routes: app.locals.routes as RouteSpec[],
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closeRedis(redis);
      chain.close();
      await temporal.close();
      await prisma.$disconnect();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, env: config.env, name: 'api' });
  const api = await startApi(config, logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void api.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
