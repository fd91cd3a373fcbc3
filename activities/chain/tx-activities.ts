import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { classifyChainError } from './errors';
import type { Mined, TxSender } from './tx-sender';

export type TxOutcome = ({ kind: 'mined' } & Omit<Mined, 'gasUsed'> & { gasUsed: string }) | { kind: 'dropped' };

/** Generic transaction steps a workflow chains after a domain-specific prepare activity. */
export function txActivities(sender: TxSender, logger: Logger, opts: { confirmations: number; stuckAfterMs: number }) {
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
      let rebroadcasted = false;
      for (;;) {
        ctx.heartbeat();
        try {
          const r = await sender.poll(txId, opts.confirmations);
          if (r === 'dropped') return { kind: 'dropped' };
          if (r !== 'pending') return { kind: 'mined', ...r, gasUsed: r.gasUsed.toString() };
          // Age since the last signed version was sent (stored, so it survives retries and restarts).
          const age = Date.now() - (await sender.sentAt(txId)).getTime();
          if (age > 2 * opts.stuckAfterMs) await sender.replace(txId, 'bump');
          else if (age > opts.stuckAfterMs && !rebroadcasted) {
            await sender.fillGaps(txId);
            await sender.broadcast(txId);
            rebroadcasted = true;
          }
        } catch (err) {
          // A flaky RPC must not cost an attempt and its backoff: keep polling, heartbeating.
          if (classifyChainError(err).permanent) throw err;
          logger.warn({ txId, err: (err as Error).message }, 'polling the chain failed; retrying');
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
