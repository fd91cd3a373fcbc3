import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TxOutcome } from '../activities/chain/tx-activities';
import type { Broadcast } from '../activities/chain/tx-sender';
import type { Paid, Prepared } from '../activities/payouts/single';
import { chainStepOptions, chainWaitOptions } from './activity-options';

const act = proxyActivities<Activities>(chainStepOptions);
const wait = proxyActivities<Activities>(chainWaitOptions);

export type SendOutcome = TxOutcome | { kind: 'paid'; paid: Paid };

/** Broadcast and await, served by the worker that holds the transaction's key. */
export interface TxSteps {
  broadcast(args: { txId: string }): Promise<Broadcast>;
  await(args: { txId: string }): Promise<TxOutcome>;
}

/** The hot key's steps (the payout worker); adminActivities() gives the admin key's. */
export const hotKeySteps: TxSteps = { broadcast: act.broadcastChainTx, await: wait.awaitChainTx };

/**
 * prepare (sign + store) → broadcast → await, again from prepare when the nonce was taken by
 * another transaction. Preparing and broadcasting are never interrupted by cancellation, so
 * no signed transaction is left unbroadcast (its nonce would block every later one).
 */
export async function sendTx(
  prepare: () => Promise<Prepared | { deployed: string } | { skipped: true }>,
  hooks: { onTxId?: (txId: string) => void; afterBroadcast?: () => Promise<void> } = {},
  steps: TxSteps = hotKeySteps,
): Promise<SendOutcome | { kind: 'none' }> {
  for (;;) {
    const prepared = await CancellationScope.nonCancellable(prepare);
    if ('alreadyPaid' in prepared) return { kind: 'paid', paid: prepared.alreadyPaid };
    if (!('txId' in prepared)) return { kind: 'none' };
    hooks.onTxId?.(prepared.txId);
    await CancellationScope.nonCancellable(async () => {
      await steps.broadcast({ txId: prepared.txId });
      await hooks.afterBroadcast?.();
    });
    const outcome = await steps.await({ txId: prepared.txId });
    if (outcome.kind !== 'dropped') return outcome;
  }
}
