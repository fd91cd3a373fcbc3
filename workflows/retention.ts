import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { RETENTION_BATCH_SIZE, RETENTION_KINDS, type RetentionKind } from '../common/retention';
import { defaultActivityOptions } from './activity-options';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: defaultActivityOptions.retry,
});

export type RetentionResult = Record<RetentionKind, number>;

/**
 * One retention run, started by the `retention-<task queue>` schedule every hour
 * (workers/retention.ts): each kind in turn, in bounded calls, until nothing old is left.
 * A long backlog continues as new, carrying the counts.
 */
export async function retentionWorkflow(
  input: { batchSize?: number; carry?: { next: number; deleted: RetentionResult } } = {},
): Promise<RetentionResult> {
  const batchSize = input.batchSize ?? RETENTION_BATCH_SIZE;
  const deleted = input.carry?.deleted ?? (Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as RetentionResult);
  for (let next = input.carry?.next ?? 0; next < RETENTION_KINDS.length; next++) {
    const kind = RETENTION_KINDS[next]!;
    for (let more = true; more;) {
      const r = await act.purgeRetained({ kind, batchSize });
      deleted[kind] += r.deleted;
      more = r.more;
      if (more && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof retentionWorkflow>({ batchSize, carry: { next, deleted } });
      }
    }
  }
  return deleted;
}
