import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { startWorker } from './worker';

/** Routes the Temporal SDK's own log lines into pino. */
export function installTemporalLogging(logger: ReturnType<typeof createLogger>): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level as LogLevel];
      sdk[method](meta ?? {}, message);
    }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, env: config.env, name: 'worker' });
  installTemporalLogging(logger);
  const worker = await startWorker(config, logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void worker.shutdown());
  await worker.done;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
