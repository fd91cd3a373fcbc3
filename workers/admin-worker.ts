import { NativeConnection, Worker } from '@temporalio/worker';
import { ZeroHash } from 'ethers';
import type { Logger } from 'pino';
import { createAdminActivities } from '../activities/admin';
import type { Config } from '../common/config';
import { createDataConverter } from '../common/data-converter';
import { createFaults } from '../common/faults';
import { adminTaskQueue } from '../common/task-queues';
import { ensureChainWatch } from './chain-watch';
import { activityInterceptors, contextualLogger } from './interceptors-activity';
import { openResources } from './resources';
import type { RunningWorker } from './worker';

/**
 * The admin worker: the only process holding the admin key. It serves the admin task queue's
 * activities (deploying and registering project contracts, budgets, minting, the pause
 * switch) and no workflows; in production it runs where only operators reach it (docs/keys.md).
 */
export async function startAdminWorker(config: Config, logger: Logger): Promise<RunningWorker & { address: string }> {
  if (!config.admin) throw new Error('startAdminWorker needs the admin configuration: loadConfig(env, { adminWorker: true })');
  const resources = await openResources(config, config.admin.privateKey, 'rahat-admin-worker');
  const { chain } = resources;
  try {
    if (!(await chain.treasury.getFunction('hasRole')(ZeroHash, chain.signerAddress))) {
      throw new Error(
        `ADMIN_PRIVATE_KEY: its address ${chain.signerAddress} does not administer the treasury at ${chain.addresses.treasury}`,
      );
    }
  } catch (err) {
    await resources.close();
    throw err;
  }
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const activityLogger = logger.child({ component: 'admin-activity' });
  const taskQueue = adminTaskQueue(config.temporal.taskQueue);
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      activities: createAdminActivities({
        prisma: resources.prisma,
        chain,
        logger: contextualLogger(activityLogger),
        faults: createFaults(),
        hotSigner: config.admin.hotSigner,
        config: {
          confirmations: config.chain.confirmations,
          stuckAfterMs: config.distribution.stuckAfterMs,
          maxFeePerGas: config.chain.maxFeePerGas,
        },
      }),
      dataConverter: createDataConverter(config.pii),
      interceptors: { activity: [activityInterceptors(activityLogger)] },
    });
    await ensureChainWatch(connection, config, logger, true);
  } catch (err) {
    await connection.close();
    await resources.close();
    throw err;
  }
  logger.info({ taskQueue, admin: chain.signerAddress }, 'admin worker started');
  const done = worker.run().finally(async () => {
    await connection.close();
    await resources.close();
    logger.info('admin worker stopped');
  });
  return {
    address: chain.signerAddress,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
