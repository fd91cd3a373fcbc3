import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import type { Config } from '../common/config';
import { openResources } from './resources';

// Source runs from workers/, the compiled worker from dist/workers/: both find dist/ at the root.
const ROOT = path.resolve(__dirname, path.basename(path.resolve(__dirname, '..')) === 'dist' ? '../..' : '..');
export const WORKFLOW_BUNDLE = path.join(ROOT, 'dist', 'workflow-bundle.js');

export interface RunningWorker {
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Production runs the prebuilt bundle (`npm run build`); development bundles on start. */
function workflowSource(config: Config): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  if (config.env === 'production' && fs.existsSync(WORKFLOW_BUNDLE)) return { workflowBundle: { codePath: WORKFLOW_BUNDLE } };
  return { workflowsPath: require.resolve('../workflows') };
}

export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const resources = await openResources(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const activities = createActivities({
    prisma: resources.prisma,
    chain: resources.chain,
    logger: logger.child({ component: 'activity' }),
    config: { walletMasterSecret: config.walletMasterSecret, confirmations: config.chain.confirmations },
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...workflowSource(config),
  });
  logger.info({ taskQueue: config.temporal.taskQueue, signer: resources.chain.signerAddress }, 'worker started');
  const done = worker.run().finally(async () => {
    await connection.close();
    await resources.close();
    logger.info('worker stopped');
  });
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
