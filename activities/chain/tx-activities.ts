import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { classifyChainError } from './errors';
import type { Broadcast, Mined, TxSender } from './tx-sender';

export type TxOutcome = ({ kind: 'mined' } & Omit<Mined, 'gasUsed'> & { gasUsed: string }) | { kind: 'dropped' };

/**
 * Generic transaction steps a workflow chains after a domain-specific prepare activity. The
 * admin worker serves the same names on its own task queue, with its own key.
 */
export function txActivities(sender: TxSender, logger: Logger, opts: { confirmations: number; stuckAfterMs: number }) {
  const stuck = opts.stuckAfterMs;
  return {
    async broadcastChainTx({ txId }: { txId: string }): Promise<Broadcast> {
      return sender.broadcast(txId);
    },

    /**
     * Waits until the transaction (or a replacement at its nonce) has N confirmations. When it
     * waits too long: if its nonce is the next one to be mined, it is rebroadcast, then bumped;
     * if it waits behind a lower nonce, that one is unblocked (rebroadcast, filled, bumped)
     * instead, so fees rise only where they can help.
     */
    async awaitChainTx({ txId }: { txId: string }): Promise<TxOutcome> {
      const ctx = Context.current();
      let lastSend = Date.now();
      for (;;) {
        ctx.heartbeat();
        try {
          const r = await sender.poll(txId, opts.confirmations);
          if (r === 'dropped') return { kind: 'dropped' };
          if (r !== 'pending') return { kind: 'mined', ...r, gasUsed: r.gasUsed.toString() };
          // Age since the last signed version was sent (stored, so it survives retries and restarts).
          const { at, nonce } = await sender.sentAt(txId);
          const age = Date.now() - at.getTime();
          if (age > stuck) {
            const next = await sender.minedNonce();
            if (nonce === next && age > 2 * stuck) await sender.replace(txId, 'bump', 2 * stuck);
            else if (nonce > next) {
              await sender.fillBelow(nonce);
              await sender.nudgeLowest(2 * stuck);
            }
            if (nonce >= next && Date.now() - lastSend > stuck) {
              await sender.broadcast(txId);
              lastSend = Date.now();
            }
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
