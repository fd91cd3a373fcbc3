import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { searchAttributeKeys } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import type { batchDistributionWorkflow } from '../workflows/batch-distribution';
import type { TemporalGateway } from './temporal';

/** Starts (or joins) the workflow of one round of a batch. */
export async function startBatchRound(
  temporal: TemporalGateway,
  opts: { taskQueue: string; batchId: string; projectId: string; round: number; concurrency: number; requestId: string },
): Promise<string> {
  const workflowId = workflowIds.batch(opts.batchId, opts.round);
  await temporal.client.workflow.start<typeof batchDistributionWorkflow>('batchDistributionWorkflow', {
    taskQueue: opts.taskQueue,
    workflowId,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ batchId: opts.batchId, projectId: opts.projectId, round: opts.round, concurrency: opts.concurrency }],
    typedSearchAttributes: [
      { key: searchAttributeKeys.projectId, value: opts.projectId },
      { key: searchAttributeKeys.batchId, value: opts.batchId },
      { key: searchAttributeKeys.distributionStatus, value: 'CREATED' },
    ],
    memo: { requestId: opts.requestId },
  });
  return workflowId;
}
