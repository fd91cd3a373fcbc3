-- Retention (activities/retention-sql.ts): each delete finds its candidates through an index.
-- Plain CREATE INDEX: it blocks writes to the table while it builds (seconds on tables of a few
-- million rows); migrations run in a transaction, where CONCURRENTLY is not allowed.

-- AlterTable
ALTER TABLE "chain_transactions" ADD COLUMN     "payload_pruned_at" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "chain_transactions_payload_pruned_at_created_at_idx" ON "chain_transactions"("payload_pruned_at", "created_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_updated_at_idx" ON "webhook_deliveries"("status", "updated_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries"("event_id");

-- CreateIndex
CREATE INDEX "refresh_tokens_expires_at_idx" ON "refresh_tokens"("expires_at");

