import { DefaultLogger, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { workerTelemetry } from './metrics';
import { startWorker } from './worker';

/**
 * Routes the Temporal SDK's own log lines into pino (warnings and up, or everything down to
 * debug when pino logs debug: workflow and activity lines then carry the request id), and
 * installs the SDK's Prometheus exporter when given (workers/metrics.ts).
 */
export function installTemporalLogging(
  logger: ReturnType<typeof createLogger>,
  telemetryOptions?: RuntimeOptions['telemetryOptions'],
): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const verbose = logger.level === 'debug' || logger.level === 'trace';
  Runtime.install({
    telemetryOptions,
    logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN', ({ level, message, meta }) => {
      const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level as LogLevel];
      sdk[method](meta ?? {}, message);
    }),
  });
}

async function main(): Promise<void> {
  // The admin key lives only in the admin worker's process (workers/admin-main.ts, docs/keys.md).
  if (process.env.ADMIN_PRIVATE_KEY)
    throw new ConfigError([
      {
        variable: 'ADMIN_PRIVATE_KEY',
        message: 'must not be set for the payout worker; run the admin worker (npm run start:admin-worker) with it instead',
      },
    ]);
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, env: config.env, name: 'worker' });
  installTemporalLogging(logger, workerTelemetry(config.workerMetrics));
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
