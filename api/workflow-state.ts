import { WorkflowNotFoundError } from '@temporalio/client';
import type { TemporalGateway } from './temporal';

/** What Temporal knows of a workflow, for a resource whose database row is not final yet. */
export async function workflowState(temporal: TemporalGateway, workflowId: string): Promise<{ id: string; status: string } | undefined> {
  try {
    const d = await temporal.client.workflow.getHandle(workflowId).describe();
    return { id: workflowId, status: d.status.name };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
