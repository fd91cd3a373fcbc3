import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { createPrisma } from '../common/db';
import { createLogger, type Logger } from '../common/logger';
import { createApp } from './app';
import { openAuthenticator } from './auth/open-authenticator';
import { createTemporalGateway } from './temporal';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  const prisma = createPrisma(config.databaseUrl);
  const temporal = createTemporalGateway(config.temporal);
  const app = createApp({ prisma, temporal, rpcUrl: config.chain.rpcUrl, logger, taskQueue: config.temporal.taskQueue, auth: openAuthenticator });
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
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
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
