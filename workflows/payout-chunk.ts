import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChunkResult } from '../activities/payouts/chunks';
import { chainWaitOptions, defaultActivityOptions } from './activity-options';
import { sendTx } from './send-tx';

const act = proxyActivities<Activities>(defaultActivityOptions);
const wait = proxyActivities<Activities>(chainWaitOptions);

/**
 * Pays one chunk with one disbursement transaction. Cancelled while in flight, it replaces
 * the transaction by a no-op at the same nonce and settles by whichever was mined: the chunk
 * ends paid and recorded, or provably not mined — never in between.
 */
export async function payoutChunkWorkflow({ chunkId }: { chunkId: string }): Promise<ChunkResult> {
  let txId: string | undefined;
  try {
    const outcome = await sendTx(() => act.prepareChunkTx({ chunkId }), {
      onTxId: (id) => (txId = id),
      afterBroadcast: () => act.markChunkSubmitted({ chunkId }),
    });
    if (outcome.kind === 'none') throw new Error('unreachable: a chunk always prepares a transaction');
    return await act.settleChunk({ chunkId, outcome });
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return CancellationScope.nonCancellable(async () => {
      if (!txId) return act.settleChunk({ chunkId, outcome: { kind: 'not-sent' } });
      await act.cancelChainTx({ txId });
      const outcome = await wait.awaitChainTx({ txId });
      return act.settleChunk({ chunkId, outcome: outcome.kind === 'dropped' ? { kind: 'not-sent' } : outcome });
    });
  }
}
