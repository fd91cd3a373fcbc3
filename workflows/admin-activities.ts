import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AdminActivities } from '../activities/admin';
import { adminTaskQueue } from '../common/task-queues';
import { chainStepOptions, chainWaitOptions } from './activity-options';
import type { TxSteps } from './send-tx';

/**
 * Activities of the admin worker, on the admin task queue next to this workflow's queue. Called
 * inside a workflow; until an admin worker polls, the steps wait in that queue.
 */
export function adminActivities(): { act: AdminActivities; steps: TxSteps } {
  const taskQueue = adminTaskQueue(workflowInfo().taskQueue);
  const act = proxyActivities<AdminActivities>({ ...chainStepOptions, taskQueue });
  const wait = proxyActivities<AdminActivities>({ ...chainWaitOptions, taskQueue });
  return { act, steps: { broadcast: act.broadcastChainTx, await: wait.awaitChainTx } };
}
