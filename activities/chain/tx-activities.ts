import { Context } from '@temporalio/activity';
import type { TxSender, Mined } from './tx-sender';

export type TxOutcome = ({ kind: 'mined' } & Omit<Mined, 'gasUsed'> & { gasUsed: string }) | { kind: 'dropped' };

/** Generic transaction steps a workflow chains after a domain-specific prepare activity. */
export function txActivities(sender: TxSender, opts: { confirmations: number; stuckAfterMs: number }) {
  return {
    async broadcastChainTx({ txId }: { txId: string }): Promise<void> {
      await sender.broadcast(txId);
    },

    /**
     * Waits until the transaction (or a replacement at its nonce) has N confirmations.
     * Rebroadcasts when the node seems to have forgotten it and bumps the fee when stuck.
     */
    async awaitChainTx({ txId }: { txId: string }): Promise<TxOutcome> {
      const ctx = Context.current();
      let lastPush = Date.now();
      let rebroadcasted = false;
      for (;;) {
        ctx.heartbeat();
        const r = await sender.poll(txId, opts.confirmations);
        if (r === 'dropped') return { kind: 'dropped' };
        if (r !== 'pending') return { kind: 'mined', ...r, gasUsed: r.gasUsed.toString() };
        if (Date.now() - lastPush > opts.stuckAfterMs) {
          if (rebroadcasted) await sender.replace(txId, 'bump');
          else await sender.broadcast(txId);
          rebroadcasted = !rebroadcasted;
          lastPush = Date.now();
        }
        await ctx.sleep(250);
      }
    },

    /** Replaces a pending transaction by a no-op at its nonce so it can never be mined. */
    async cancelChainTx({ txId }: { txId: string }): Promise<void> {
      await sender.replace(txId, 'cancel');
    },
  };
}
