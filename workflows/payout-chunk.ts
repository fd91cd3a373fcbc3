import { ApplicationFailure, ActivityFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChunkResult } from '../activities/payouts/chunks';
import { ErrorType } from '../common/errors';
import { chainStepOptions, chainWaitOptions } from './activity-options';
import { sendTx } from './send-tx';

const act = proxyActivities<Activities>(chainStepOptions);
const wait = proxyActivities<Activities>(chainWaitOptions);

/**
 * Pays one chunk with one disbursement transaction. Cancelled while in flight, it replaces
 * the transaction by a no-op at the same nonce and settles from what the chain recorded: the
 * chunk ends paid and recorded, or provably not paid — never in between.
 */
export async function payoutChunkWorkflow({ chunkId }: { chunkId: string }): Promise<ChunkResult> {
  try {
    const outcome = await sendTx(() => act.prepareChunkTx({ chunkId }), { afterBroadcast: () => act.markChunkSubmitted({ chunkId }) });
    if (outcome.kind === 'none') throw new Error('unreachable: a chunk always prepares a transaction');
    return await act.settleChunk({ chunkId, outcome });
  } catch (err) {
    if (isCancellation(err)) return CancellationScope.nonCancellable(() => cancelAndSettle(chunkId));
    // Settled meanwhile (the batch cancelled it before it was signed): report what was recorded.
    if (failureType(err) === ErrorType.AlreadySettled) {
      const result = await act.chunkResult({ chunkId });
      if (result) return result;
    }
    throw err;
  }
}

/**
 * Settles a chunk that must not be paid any more: nothing signed → cancelled under the lock a
 * prepare takes; signed → replaced by a no-op, and whichever the chain mined decides.
 */
export async function cancelAndSettle(chunkId: string): Promise<ChunkResult> {
  const fenced = await act.fenceChunk({ chunkId });
  if ('result' in fenced) return fenced.result;
  await act.cancelChainTx({ txId: fenced.txId });
  const outcome = await wait.awaitChainTx({ txId: fenced.txId });
  return act.settleChunk({ chunkId, outcome: outcome.kind === 'dropped' ? { kind: 'not-sent' } : outcome });
}

function failureType(err: unknown): string | undefined {
  const inner = err instanceof ActivityFailure ? err.cause : err;
  return inner instanceof ApplicationFailure ? (inner.type ?? undefined) : undefined;
}
