import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { installTemporalLogging } from './main';
import { workerTelemetry } from './metrics';
import { startAdminWorker } from './admin-worker';

/** `npm run start:admin-worker`: the admin key's worker, alone in its process (docs/keys.md). */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { adminWorker: true });
  const logger = createLogger({ level: config.logLevel, env: config.env, name: 'admin-worker' });
  installTemporalLogging(logger, workerTelemetry({ ...config.workerMetrics, port: 0 }));
  const worker = await startAdminWorker(config, logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void worker.shutdown());
  await worker.done;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
