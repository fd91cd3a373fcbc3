import { Prisma } from '../common/db';
import type { RetentionKind } from '../common/retention';

export interface RetentionParams {
  now: Date;
  /** Rows that stopped being needed before this go. */
  cutoff: Date;
  /** At most this many rows per statement (per part, for refresh tokens). */
  limit: number;
  /** Chain transactions only: the chain the worker is connected to, and its last block beyond the reorg horizon. */
  chainId: number;
  safeBlock: bigint;
}

/**
 * One bounded statement per kind, returning the rows it deleted (pruned, for chain
 * transactions). Each finds at most `limit` candidates through an index, then deletes them by
 * primary key (or row address): `= ANY(ARRAY(…))` is computed once, so the delete is index or
 * TID lookups whatever the planner thinks of the candidates' number, never a scan of the table
 * (tests/integration/retention.test.ts checks the plans on a filled database). Conditions are
 * repeated on the row deleted, so one changed meanwhile (a dead delivery re-queued, a record
 * taken over) is re-checked under its lock and kept.
 */
export const RETENTION_STATEMENTS: Record<RetentionKind, (p: RetentionParams) => Prisma.Sql> = {
  // Delivered, or dead (re-queueable until then): index (status, updated_at).
  webhookDeliveries: ({ cutoff, limit }) => Prisma.sql`
    DELETE FROM webhook_deliveries d
    WHERE d.id = ANY(ARRAY(SELECT id FROM webhook_deliveries WHERE status IN ('DELIVERED', 'DEAD') AND updated_at < ${cutoff} LIMIT ${limit}))
      AND d.status IN ('DELIVERED', 'DEAD') AND d.updated_at < ${cutoff}`,

  // Published and fanned out, with no delivery left: indexes (published_at, created_at) and
  // (fanned_out_at, created_at); deliveries by event_id.
  outboxEvents: ({ cutoff, limit }) => Prisma.sql`
    DELETE FROM outbox_events e
    WHERE e.id = ANY(ARRAY(
      SELECT o.id FROM outbox_events o
      WHERE o.published_at < ${cutoff} AND o.fanned_out_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = o.id)
      LIMIT ${limit}))
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)`,

  // Mined beyond the reorg horizon, not reorged: never-mined versions deleted, signed payloads
  // emptied, the row kept (docs/operations.md, "Retention"). Index (payload_pruned_at, created_at).
  chainTransactions: ({ now, cutoff, limit, chainId, safeBlock }) => Prisma.sql`
    WITH c AS (
      SELECT id, mined_hash FROM chain_transactions
      WHERE payload_pruned_at IS NULL AND created_at < ${cutoff} AND chain_id = ${chainId} AND status = 'MINED'
        AND reorged_at IS NULL AND mined_hash IS NOT NULL AND block_number <= ${safeBlock}
      LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ), superseded AS (
      DELETE FROM chain_transaction_versions v
      WHERE v.tx_id = ANY(ARRAY(SELECT id FROM c)) AND v.hash <> ALL(ARRAY(SELECT mined_hash FROM c)) RETURNING 1
    ), mined AS (
      UPDATE chain_transaction_versions v SET raw_tx = '' WHERE v.hash = ANY(ARRAY(SELECT mined_hash FROM c)) RETURNING 1
    )
    UPDATE chain_transactions t SET raw_tx = '', data = '', payload_pruned_at = ${now} WHERE t.id = ANY(ARRAY(SELECT id FROM c))`,

  // Expired, unless its request still holds the lease: index (expires_at); deleted by row address.
  idempotencyRecords: ({ now, cutoff, limit }) => Prisma.sql`
    DELETE FROM idempotency_records r
    WHERE r.ctid = ANY(ARRAY(
      SELECT ctid FROM idempotency_records
      WHERE expires_at < ${cutoff} AND (locked_until IS NULL OR locked_until < ${now}) LIMIT ${limit}))
      AND r.expires_at < ${cutoff} AND (r.locked_until IS NULL OR r.locked_until < ${now})`,

  // Expired: a revoked token goes with its expiry too (at most 14 days after issue), never
  // earlier, as presenting a rotated token again must still end its session. Index (expires_at).
  refreshTokens: ({ cutoff, limit }) => Prisma.sql`
    DELETE FROM refresh_tokens
    WHERE id = ANY(ARRAY(SELECT id FROM refresh_tokens WHERE expires_at < ${cutoff} LIMIT ${limit})) AND expires_at < ${cutoff}`,

  // Kept longest (RETENTION_AUDIT_DAYS, or never): index (at).
  auditLogs: ({ cutoff, limit }) => Prisma.sql`
    DELETE FROM audit_logs WHERE id = ANY(ARRAY(SELECT id FROM audit_logs WHERE at < ${cutoff} LIMIT ${limit}))`,
};
