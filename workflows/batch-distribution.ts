import {
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChunkRef, PlannedRound } from '../activities/payouts/batches';
import type { ChunkResult } from '../activities/payouts/chunks';
import { searchAttributeKeys } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import { chainStepOptions, defaultActivityOptions, planningOptions } from './activity-options';
import { adminActivities } from './admin-activities';
import { cancelSignal, pauseSignal, progressQuery, resumeSignal, type BatchProgress } from './batch-signals';
import { cancelAndSettle, payoutChunkWorkflow } from './payout-chunk';
import { failureReason } from './saga';
import { sendTx } from './send-tx';

export interface BatchInput {
  batchId: string;
  projectId: string;
  round: number;
  /** Chunks in flight at once. */
  concurrency: number;
  /** Chunks started per run before continuing as new, to keep history bounded. */
  chunksPerRun?: number;
  carry?: Carry;
}

interface Carry {
  planned: PlannedRound;
  afterSeq: number;
  paid: number;
  paidAmount: string;
  failed: number;
  cancelledCount: number;
  startedAt: number;
  paused: boolean;
  cancelled: boolean;
  /** Chunk workflows restarted because they ended without settling their chunk. */
  restarts?: Record<string, number>;
}

const act = proxyActivities<Activities>(defaultActivityOptions);
const chainAct = proxyActivities<Activities>(chainStepOptions);
const plan = proxyActivities<Activities>(planningOptions);

/** A chunk workflow that ended without settling its chunk is started again this often, then with growing pauses. */
const QUICK_RESTARTS = 3;

/**
 * Plans the round, makes sure the project's disbursement contract exists (the admin worker
 * deploys and registers it), funds it, pays the chunks through child workflows under a
 * sliding window, then returns the budget of chunks proven unpaid (the saga's compensation)
 * and closes the batch. A chunk whose workflow failed or was terminated is never taken for
 * unpaid: its workflow runs again until the chunk is settled from the chain. Continues as new
 * every `chunksPerRun` chunks.
 */
export async function batchDistributionWorkflow(input: BatchInput): Promise<{ status: string }> {
  const { batchId, projectId, round } = input;
  const chunksPerRun = input.chunksPerRun ?? 100;
  let phase: BatchProgress['status'] = input.carry ? 'RUNNING' : 'PLANNING';
  const s: Carry = input.carry ?? {
    planned: { chunks: 0, payouts: 0, total: '0' },
    afterSeq: -1,
    paid: 0,
    paidAmount: '0',
    failed: 0,
    cancelledCount: 0,
    startedAt: Date.now(),
    paused: false,
    cancelled: false,
  };
  s.restarts ??= {};
  const inFlight = new Map<string, CancellationScope>();
  /** Chunks whose workflow ended without a result: their state is read from the database. */
  const unsure: string[] = [];
  /** Counts chunk completions and signals; the main loop waits for it to move. */
  let events = 0;
  setHandler(pauseSignal, () => {
    s.paused = true;
    events++;
  });
  setHandler(resumeSignal, () => {
    s.paused = false;
    events++;
  });
  setHandler(cancelSignal, () => {
    s.cancelled = true;
    events++;
    for (const scope of inFlight.values()) scope.cancel();
  });
  setHandler(progressQuery, () => progress(s, phase, round, inFlight));

  if (!input.carry) {
    await act.setBatchStatus({ batchId, status: 'RUNNING' });
    setStatus('RUNNING');
    s.planned = await plan.planRound({ batchId, round });
    await ensureDisbursement(projectId);
    try {
      const funded = await sendTx(() => chainAct.prepareFunding({ batchId, round, amount: s.planned.total }));
      if (funded.kind === 'mined' || funded.kind === 'paid') await chainAct.recordFunding({ batchId, round, outcome: funded });
    } catch (err) {
      // No budget, nothing sent: every payout of the round fails with the reason and can be retried.
      await plan.cancelUnstartedChunks({ batchId, round, failure: failureReason(err) });
      return finish(false);
    }
    phase = 'RUNNING';
  }

  let queue: ChunkRef[] = [];
  let exhausted = false;
  let startedThisRun = 0;
  for (;;) {
    await resolveUnsure();
    if (s.paused && !s.cancelled) {
      phase = 'PAUSING';
      await condition(() => inFlight.size === 0 || !s.paused || s.cancelled);
      if (s.paused && !s.cancelled) {
        phase = 'PAUSED';
        await act.setBatchStatus({ batchId, status: 'PAUSED' });
        setStatus('PAUSED');
        await condition(() => !s.paused || s.cancelled);
        await act.setBatchStatus({ batchId, status: 'RUNNING' });
        setStatus('RUNNING');
      }
      phase = s.cancelled ? 'CANCELLING' : 'RUNNING';
    }
    while (!s.cancelled && !s.paused && inFlight.size < input.concurrency && startedThisRun < chunksPerRun) {
      if (queue.length === 0 && !exhausted) {
        queue = await act.nextChunks({ batchId, round, afterSeq: s.afterSeq, limit: Math.min(100, chunksPerRun) });
        exhausted = queue.length === 0;
      }
      const next = queue.shift();
      if (!next) break;
      s.afterSeq = next.seq;
      startedThisRun++;
      startChunk(next.chunkId);
    }
    if (inFlight.size === 0 && unsure.length === 0 && (s.cancelled || exhausted || startedThisRun >= chunksPerRun)) break;
    // Sleep until a chunk finishes or a signal arrives: nothing else can change the plan.
    const seen = events;
    await condition(() => events !== seen);
  }

  if (!s.cancelled && !exhausted) {
    await continueAsNew<typeof batchDistributionWorkflow>({ ...input, carry: s });
  }
  if (s.cancelled) await plan.cancelUnstartedChunks({ batchId, round });
  return finish(s.cancelled);

  /** Compensation (the budget of chunks proven unpaid back to the treasury), then the final status. */
  async function finish(cancelled: boolean): Promise<{ status: string }> {
    phase = 'FINISHING';
    await sendTx(() => chainAct.prepareReturn({ batchId, round }));
    const result = await plan.finalizeBatch({ batchId, cancelled });
    setStatus(result.status);
    return result;
  }

  function startChunk(chunkId: string): void {
    const scope = new CancellationScope();
    inFlight.set(chunkId, scope);
    scope
      .run(() =>
        executeChild(payoutChunkWorkflow, {
          workflowId: workflowIds.chunk(chunkId),
          args: [{ chunkId }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: [
            { key: searchAttributeKeys.batchId, value: batchId },
            { key: searchAttributeKeys.projectId, value: projectId },
          ],
        }),
      )
      .then((r: ChunkResult) => tally(s, r))
      // Failed, terminated, or cancelled: what happened to the chunk is read, never assumed.
      .catch(() => unsure.push(chunkId))
      .finally(() => {
        inFlight.delete(chunkId);
        events++;
      });
  }

  /** Counts chunks that are settled; runs again (or, once cancelled, cancels) those that are not. */
  async function resolveUnsure(): Promise<void> {
    while (unsure.length) {
      const chunkId = unsure.shift()!;
      const result = await act.chunkResult({ chunkId });
      if (result) tally(s, result);
      else if (s.cancelled) tally(s, await CancellationScope.nonCancellable(() => cancelAndSettle(chunkId)));
      else {
        const n = (s.restarts![chunkId] = (s.restarts![chunkId] ?? 0) + 1);
        if (n > QUICK_RESTARTS) await sleep(Math.min(3600_000, 60_000 * 2 ** (n - QUICK_RESTARTS)));
        startChunk(chunkId);
      }
    }
  }
}

/** The project's disbursement contract, deployed and registered by the admin key once. */
async function ensureDisbursement(projectId: string): Promise<void> {
  const admin = adminActivities();
  let deployTx = '';
  const deployed = await sendTx(() => admin.act.prepareDisbursementDeploy({ projectId }), { onTxId: (id) => (deployTx = id) }, admin.steps);
  if (deployed.kind === 'mined') await admin.act.recordDisbursementDeploy({ projectId, txId: deployTx, outcome: deployed });
  await sendTx(() => admin.act.prepareDisbursementRegistration({ projectId }), {}, admin.steps);
  await admin.act.confirmDisbursementRegistration({ projectId });
}

function tally(s: Carry, r: ChunkResult): void {
  if (r.status === 'CONFIRMED') {
    s.paid += r.count;
    s.paidAmount = (BigInt(s.paidAmount) + BigInt(r.total)).toString();
  } else if (r.status === 'FAILED') s.failed += r.count;
  else s.cancelledCount += r.count;
}

function progress(s: Carry, phase: BatchProgress['status'], round: number, inFlight: Map<string, unknown>): BatchProgress {
  const elapsed = (Date.now() - s.startedAt) / 1000;
  const rate = elapsed > 0 ? s.paid / elapsed : 0;
  const remaining = s.planned.payouts - s.paid - s.failed - s.cancelledCount;
  return {
    status: phase,
    round,
    payouts: s.planned.payouts,
    paid: s.paid,
    failed: s.failed,
    cancelled: s.cancelledCount,
    inFlight: inFlight.size,
    totalAmount: s.planned.total,
    paidAmount: s.paidAmount,
    remainingAmount: (BigInt(s.planned.total) - BigInt(s.paidAmount)).toString(),
    ratePerSecond: Math.round(rate * 10) / 10,
    etaSeconds: rate > 0 ? Math.round(remaining / rate) : null,
  };
}

function setStatus(value: string): void {
  upsertSearchAttributes([{ key: searchAttributeKeys.distributionStatus, value }]);
}
