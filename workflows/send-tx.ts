import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TxOutcome } from '../activities/chain/tx-activities';
import type { Paid, Prepared } from '../activities/payouts/single';
import { chainWaitOptions, defaultActivityOptions } from './activity-options';

const act = proxyActivities<Activities>(defaultActivityOptions);
const wait = proxyActivities<Activities>(chainWaitOptions);

export type SendOutcome = TxOutcome | { kind: 'paid'; paid: Paid };

/**
 * prepare (sign + store) → broadcast → await, again from prepare when the nonce was taken by
 * another transaction. Preparing and broadcasting are never interrupted by cancellation, so
 * no signed transaction is left unbroadcast (its nonce would block every later one).
 */
export async function sendTx(
  prepare: () => Promise<Prepared | { deployed: string } | { skipped: true }>,
  hooks: { onTxId?: (txId: string) => void; afterBroadcast?: () => Promise<void> } = {},
): Promise<SendOutcome | { kind: 'none' }> {
  for (;;) {
    const prepared = await CancellationScope.nonCancellable(prepare);
    if ('alreadyPaid' in prepared) return { kind: 'paid', paid: prepared.alreadyPaid };
    if (!('txId' in prepared)) return { kind: 'none' };
    hooks.onTxId?.(prepared.txId);
    await CancellationScope.nonCancellable(async () => {
      await act.broadcastChainTx({ txId: prepared.txId });
      await hooks.afterBroadcast?.();
    });
    const outcome = await wait.awaitChainTx({ txId: prepared.txId });
    if (outcome.kind !== 'dropped') return outcome;
  }
}
