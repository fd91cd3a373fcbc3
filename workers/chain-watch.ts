import { Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../common/config';
import { createDataConverter } from '../common/data-converter';
import { workflowIds } from '../common/workflow-ids';
import type { chainWatchWorkflow } from '../workflows/chain-watch';

/** Starts the key's watch on this task queue unless it runs already (every worker calls it at boot). */
export async function ensureChainWatch(connection: NativeConnection, config: Config, logger: Logger, admin = false): Promise<void> {
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.pii) });
  const workflowId = workflowIds.chainWatch(config.temporal.taskQueue, admin);
  await client.workflow.start<typeof chainWatchWorkflow>('chainWatchWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId,
    args: [{ admin }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  logger.info({ workflowId }, 'chain watch running');
}
