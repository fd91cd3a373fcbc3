import { defaultPayloadConverter } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import * as workflows from '../workflows';

const { TaskQueueType, TaskQueueKind } = proto.api.enums.v1;

/** Every workflow type the worker registers (workflows/index.ts), the rows of the per-type counts. */
export const WORKFLOW_TYPES = Object.entries(workflows)
  .filter(([name, value]) => typeof value === 'function' && name.endsWith('Workflow'))
  .map(([name]) => name)
  .sort();

export interface QueueView {
  name: string;
  pollers: { workflow: Poller[]; activity: Poller[] };
  /** Tasks waiting for a worker; null where the server does not report it. */
  backlog: { workflow: number | null; activity: number | null };
  /** Executions on this queue by workflow type and status (running, failed, completed, …), within the namespace's retention. */
  workflows: Record<string, Record<string, number>>;
}

interface Poller {
  identity: string;
  lastAccessTime?: string;
  ratePerSecond: number;
}

type Described = Awaited<ReturnType<Client['workflowService']['describeTaskQueue']>>;

/**
 * What the seed's Bull monitor showed, from Temporal: DescribeTaskQueue (pollers, approximate
 * backlog) per task type, and CountWorkflowExecutions per workflow type grouped by status
 * (the server groups by ExecutionStatus only, so one count per type).
 */
export async function describeQueue(client: Client, namespace: string, name: string, timeoutMs = 5000): Promise<QueueView> {
  const describe = (taskQueueType: proto.api.enums.v1.TaskQueueType) =>
    client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
      reportStats: true,
    });
  // One deadline for every call (the client would otherwise retry for ~20 s), and all settle
  // before answering, so no call is left retrying behind the response.
  const [wf, act, ...counts] = await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    settleAll([
      describe(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      describe(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
      ...WORKFLOW_TYPES.map(async (type) => [type, await countByStatus(client, namespace, name, type)] as const),
    ] as const),
  );
  return {
    name,
    pollers: { workflow: pollers(wf), activity: pollers(act) },
    backlog: { workflow: backlog(wf), activity: backlog(act) },
    workflows: Object.fromEntries(counts as (readonly [string, Record<string, number>])[]),
  };
}

/** Promise.all that waits for every promise before rejecting with the first failure. */
async function settleAll<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

async function countByStatus(client: Client, namespace: string, queue: string, type: string): Promise<Record<string, number>> {
  const query = `TaskQueue = ${quote(queue)} AND WorkflowType = ${quote(type)} GROUP BY ExecutionStatus`;
  const res = await client.workflowService.countWorkflowExecutions({ namespace, query });
  const byStatus: Record<string, number> = { running: 0, failed: 0 };
  for (const g of res.groups ?? []) {
    const status = g.groupValues?.[0] ? defaultPayloadConverter.fromPayload<string>(g.groupValues[0]) : 'unknown';
    byStatus[camel(status)] = Number(g.count ?? 0);
  }
  return byStatus;
}

function pollers(d: Described): Poller[] {
  return (d.pollers ?? []).map((p) => ({
    identity: p.identity ?? '',
    lastAccessTime: p.lastAccessTime?.seconds ? new Date(Number(p.lastAccessTime.seconds) * 1000).toISOString() : undefined,
    ratePerSecond: p.ratePerSecond ?? 0,
  }));
}

function backlog(d: Described): number | null {
  const count = d.stats?.approximateBacklogCount;
  return count === undefined || count === null ? null : Number(count);
}

/** Visibility query string literal; queue names come from config but are escaped anyway. */
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** "Running" → running, "TimedOut" → timedOut, "ContinuedAsNew" → continuedAsNew. */
const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
