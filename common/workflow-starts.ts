import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type WorkflowClient,
} from '@temporalio/client';
import type { ImportWorkflowInput } from './import-workflow';
import { searchAttributeKeys } from './search-attributes';
import { workflowIds } from './workflow-ids';

/**
 * How the engine starts its long work, shared by the API (on request) and the worker's sweep of
 * work whose start never happened (Temporal was down): joins a running workflow, never runs a
 * closed one again (Temporal refuses that start, which counts as done).
 */
async function startOnce(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

const once = {
  workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
};

/** One round of a batch (`batch-<id>`, `batch-<id>-round-<n>`). */
export async function startBatchRoundWorkflow(
  client: WorkflowClient,
  opts: { taskQueue: string; batchId: string; projectId: string; round: number; concurrency: number; requestId?: string },
): Promise<string> {
  const workflowId = workflowIds.batch(opts.batchId, opts.round);
  await startOnce(() =>
    client.start('batchDistributionWorkflow', {
      taskQueue: opts.taskQueue,
      workflowId,
      ...once,
      args: [{ batchId: opts.batchId, projectId: opts.projectId, round: opts.round, concurrency: opts.concurrency }],
      typedSearchAttributes: [
        { key: searchAttributeKeys.projectId, value: opts.projectId },
        { key: searchAttributeKeys.batchId, value: opts.batchId },
        { key: searchAttributeKeys.distributionStatus, value: 'CREATED' },
      ],
      memo: opts.requestId ? { requestId: opts.requestId } : undefined,
    }),
  );
  return workflowId;
}

/** A bulk import (`import-beneficiaries-<id>`), findable in the Web UI by ProjectId and ImportId. */
export async function startImportWorkflowWith(
  client: WorkflowClient,
  taskQueue: string,
  input: ImportWorkflowInput,
  requestId?: string,
): Promise<string> {
  const workflowId = workflowIds.beneficiaryImport(input.importId);
  await startOnce(() =>
    client.start('importBeneficiariesWorkflow', {
      taskQueue,
      workflowId,
      ...once,
      args: [input],
      typedSearchAttributes: [
        { key: searchAttributeKeys.projectId, value: input.projectId },
        { key: searchAttributeKeys.importId, value: input.importId },
      ],
      memo: requestId ? { requestId } : undefined,
    }),
  );
  return workflowId;
}
