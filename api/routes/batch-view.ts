import { WorkflowNotFoundError } from '@temporalio/client';
import { workflowIds } from '../../common/workflow-ids';
import type { DistributionBatch } from '../../prisma/generated/client';
import { progressQuery, type BatchProgress } from '../../workflows/batch-signals';
import type { ApiDeps } from '../deps';
import { batchStatusCounts } from '../payout-status';

/** The batch row, payout counts from the database, and the live progress while it runs. */
export async function batchView({ prisma, temporal }: ApiDeps, batch: DistributionBatch) {
  const byStatus = await batchStatusCounts(prisma, batch.id);
  let progress: BatchProgress | undefined;
  if (!['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'].includes(batch.status)) {
    try {
      progress = await temporal.client.workflow.getHandle(workflowIds.batch(batch.id, batch.round)).query(progressQuery);
    } catch (err) {
      // Not started yet, or between runs: the database counts still answer.
      if (!(err instanceof WorkflowNotFoundError)) progress = undefined;
    }
  }
  return {
    id: batch.id,
    projectId: batch.projectId,
    status: batch.status,
    round: batch.round,
    chunkSize: batch.chunkSize,
    fundedAmount: batch.fundedAmount.toFixed(),
    returnedAmount: batch.returnedAmount.toFixed(),
    payouts: byStatus,
    progress,
    startedAt: batch.startedAt,
    finishedAt: batch.finishedAt,
    links: { payouts: `/v1/distributions/batches/${batch.id}/payouts` },
  };
}
