import type { Prisma } from '../common/db';
import { startBatchRoundWorkflow } from '../common/workflow-starts';
import { workflowIds } from '../common/workflow-ids';
import { isUniqueViolation } from './db-errors';
import type { ApiDeps } from './deps';
import { keyReused } from './idempotency';
import { HttpProblem } from './problem';
import type { TemporalGateway } from './temporal';

const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];

/**
 * Starts the workflow of one round of a batch, or joins it while it runs. A round whose
 * workflow has closed is never run again: that start is refused by Temporal and is harmless.
 */
export function startBatchRound(
  temporal: TemporalGateway,
  opts: { taskQueue: string; batchId: string; projectId: string; round: number; concurrency: number; requestId: string },
): Promise<string> {
  return startBatchRoundWorkflow(temporal.client.workflow, opts);
}

/** The 202 body of a batch creation; a resumed creation answers exactly this again. */
export interface BatchAccepted {
  id: string;
  status: 'CREATED';
  workflowId: string;
  payouts: number;
  links: { self: string };
}

/** Who chose the batch id: the caller (a clash is a 409 on their field) or the Idempotency-Key (a 422 on the key). */
export type BatchIdChoice = { field: 'body.batchId' | 'query.batchId' } | 'key';

/**
 * Creates a batch with `create` (one transaction that writes the batch row, carrying the
 * request's fingerprint, before its payouts; it returns the payout count), then starts round 0.
 * When the id is taken already, by this request before (same fingerprint: its workflow may
 * never have started) the batch is resumed instead and answered as the first time.
 */
export async function createOrResumeBatch(
  deps: ApiDeps,
  b: { id: string; projectId: string; chosenBy: BatchIdChoice; fingerprint: string; requestId: string },
  create: () => Promise<number>,
): Promise<BatchAccepted> {
  const found = await deps.prisma.distributionBatch.findUnique({ where: { id: b.id } });
  if (found) return resume(deps, found, b);
  let payouts: number;
  try {
    payouts = await create();
  } catch (err) {
    // A concurrent create of the same id (a caller-given batchId sent twice at once) won.
    if (!isUniqueViolation(err)) throw err;
    return resume(deps, await deps.prisma.distributionBatch.findUniqueOrThrow({ where: { id: b.id } }), b);
  }
  return accepted(b.id, await startRound0(deps, b), payouts);
}

async function resume(
  deps: ApiDeps,
  batch: Prisma.DistributionBatchModel,
  b: { id: string; projectId: string; chosenBy: BatchIdChoice; fingerprint: string; requestId: string },
): Promise<BatchAccepted> {
  if (batch.requestFingerprint !== b.fingerprint) {
    if (b.chosenBy === 'key') throw keyReused();
    throw new HttpProblem(409, 'Conflict', `batch ${b.id} already exists, created by another request`, [
      { field: b.chosenBy.field, message: 'already used' },
    ]);
  }
  // Past round 0, or finished: its round-0 workflow ran; nothing to start (not even a refused start).
  const workflowId = batch.round === 0 && !FINAL.includes(batch.status) ? await startRound0(deps, b) : workflowIds.batch(b.id, 0);
  return accepted(b.id, workflowId, batch.payoutCount);
}

const startRound0 = (deps: ApiDeps, b: { id: string; projectId: string; requestId: string }) =>
  startBatchRound(deps.temporal, {
    taskQueue: deps.taskQueue,
    batchId: b.id,
    projectId: b.projectId,
    round: 0,
    concurrency: deps.distribution.concurrency,
    requestId: b.requestId,
  });

function accepted(id: string, workflowId: string, payouts: number): BatchAccepted {
  return { id, status: 'CREATED', workflowId, payouts, links: { self: `/v1/distributions/batches/${id}` } };
}
