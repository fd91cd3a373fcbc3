import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { createVault } from '../common/crypto/vault';
import { createDataConverter } from '../common/data-converter';
import { createPrisma } from '../common/db';
import { EncryptionCodec } from '../common/payload-codec';
import { createLogger, type Logger } from '../common/logger';
import { closeRedis, createRedis, redisReady } from '../common/redis';
import { requestIdClientInterceptor } from '../common/request-context-client';
import { createHotCache } from '../common/hot-cache';
import { createSecretBox } from '../common/secret-box';
import { computeAddress } from 'ethers';
import { createApp } from './app';
import { createChainReader } from './chain-reader';
import { createAuthenticator } from './auth/authenticator';
import { ensureFirstAdmin } from './auth/bootstrap';
import { createApiMetrics, workflowStartsInterceptor } from './metrics';
import { projectStore } from './project-store';
import { createRateLimits } from './rate-limits';
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
  // A Redis that hangs must not hold requests up: the rate limits fall back after half a second.
  const redis = createRedis(config.redis, logger.child({ component: 'redis' }), { commandTimeoutMs: 500 });
  const metrics = createApiMetrics({ prisma, redis, taskQueue: config.temporal.taskQueue });
  const vault = createVault(config.pii);
  const temporal = createTemporalGateway({ ...config.temporal, dataConverter: createDataConverter(config.pii) }, [
    requestIdClientInterceptor(),
    workflowStartsInterceptor(metrics),
  ]);
  const cache = createHotCache({
    redis,
    keyPrefix: config.redis.keyPrefix,
    ttlMs: config.hotCache.ttlMs,
    logger: logger.child({ component: 'hot-cache' }),
  });
  // Shared limits from the first request when Redis is up; a start never waits long for one that is down.
  await redisReady(redis, 2000).catch(() => logger.warn('Redis not ready at start: rate limits are per process until it is'));
  if (config.security.bootstrapAdmin && (await ensureFirstAdmin(prisma, config.security.bootstrapAdmin)))
    logger.info('first admin user created from ADMIN_EMAIL');
  const chain = createChainReader(config, prisma, cache);
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
    trustProxy: config.api.trustProxy,
    limits: createRateLimits({
      redis,
      keyPrefix: config.redis.keyPrefix,
      requestsPerMinute: config.security.rateLimitPerMinute,
      loginsPerMinute: config.security.loginRateLimitPerMinute,
      logger: logger.child({ component: 'rate-limits' }),
    }),
    cache,
    projects: projectStore(prisma, cache),
    health: config.health,
    distribution: config.distribution,
    redis,
    metrics,
    secrets: createSecretBox(config.webhooks.secretKey),
    privacy: { vault, codec: new EncryptionCodec(vault.keyRing), codecCorsOrigins: config.codecCorsOrigins },
    idDerivationKey: config.idDerivationKey,
    imports: { chunkSize: config.imports.chunkSize, partners: Object.keys(config.imports.partners) },
    outbound: { addressPolicy: config.outbound.addressPolicy },
  });
  const server = app.listen(config.api.port, config.api.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Ended codec sessions are refused anyway; this keeps their table small (the rest: the retention schedule).
  const purge = setInterval(() => {
    void prisma.codecSession.deleteMany({ where: { expiresAt: { lt: new Date() } } }).catch(() => undefined);
  }, 3600_000).unref();
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.api.host}:${port}`;
  logger.info({ url }, 'api listening');
  return {
    url,
    routes: app.locals.routes as RouteSpec[],
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      clearInterval(purge);
      cache.close();
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
