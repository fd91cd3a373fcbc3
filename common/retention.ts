/**
 * What the retention workflow cleans (activities/retention.ts, docs/operations.md), in this
 * order: webhook deliveries before the outbox events they reference. Pure: workflows import it.
 */
export const RETENTION_KINDS = [
  'webhookDeliveries',
  'outboxEvents',
  'chainTransactions',
  'idempotencyRecords',
  'refreshTokens',
  'auditLogs',
] as const;

export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Rows per delete statement, so no statement holds its locks for long. */
export const RETENTION_BATCH_SIZE = 5000;

/** Days each kind is kept once it is no longer needed (RETENTION_* variables). */
export interface RetentionSettings {
  /** Outbox events, counted from when they were relayed (published and fanned out). */
  outboxDays: number;
  /** Webhook deliveries, from when they were delivered or gave up (dead). */
  webhookDeliveryDays: number;
  /** Chain transactions, from when they were signed, once final: their payloads are pruned, the rows kept. */
  chainTxDays: number;
  /** Idempotency records, from when they expired (24 h after their request). */
  idempotencyDays: number;
  /** Refresh tokens, from when they expired (revoked ones too: reuse detection needs them until then). */
  refreshTokenDays: number;
  /** The audit log, from when it was written; null keeps it for ever. */
  auditDays: number | null;
}
