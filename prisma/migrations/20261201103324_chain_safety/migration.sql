-- CreateEnum
CREATE TYPE "ChainTxVersionKind" AS ENUM ('ORIGINAL', 'BUMP', 'CANCEL');

-- CreateEnum
CREATE TYPE "TreasuryOperationKind" AS ENUM ('INCREASE_ALLOWANCE', 'DECREASE_ALLOWANCE', 'MINT', 'PAUSE', 'UNPAUSE');

-- CreateEnum
CREATE TYPE "TreasuryOperationStatus" AS ENUM ('PENDING', 'CONFIRMED', 'FAILED');

-- AlterTable
ALTER TABLE "contract_deployments" ADD COLUMN     "block_number" BIGINT;

-- AlterTable (the columns; hashes and cancel_hash are dropped below, after their data moved)
ALTER TABLE "chain_transactions" ADD COLUMN     "block_hash" VARCHAR(66),
ADD COLUMN     "refused_reason" VARCHAR(500),
ADD COLUMN     "reorged_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "project_disbursements" ADD COLUMN     "block_number" BIGINT;

-- CreateTable
CREATE TABLE "chain_identities" (
    "chain_id" INTEGER NOT NULL,
    "genesis_hash" VARCHAR(66) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_identities_pkey" PRIMARY KEY ("chain_id")
);

-- CreateTable
CREATE TABLE "chain_transaction_versions" (
    "hash" VARCHAR(66) NOT NULL,
    "tx_id" UUID NOT NULL,
    "nonce" INTEGER NOT NULL,
    "kind" "ChainTxVersionKind" NOT NULL,
    "raw_tx" TEXT NOT NULL,
    "max_fee_per_gas" DECIMAL(78,0) NOT NULL,
    "max_priority_fee_per_gas" DECIMAL(78,0) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_transaction_versions_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "treasury_operations" (
    "id" UUID NOT NULL,
    "kind" "TreasuryOperationKind" NOT NULL,
    "project_id" VARCHAR(64),
    "amount" DECIMAL(78,0),
    "status" "TreasuryOperationStatus" NOT NULL DEFAULT 'PENDING',
    "tx_hash" VARCHAR(66),
    "block_number" BIGINT,
    "failure_reason" TEXT,
    "requested_by" VARCHAR(200) NOT NULL,
    "request_fingerprint" VARCHAR(64),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "treasury_operations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "chain_transaction_versions_tx_id_nonce_idx" ON "chain_transaction_versions"("tx_id", "nonce");

-- CreateIndex
CREATE INDEX "treasury_operations_project_id_created_at_idx" ON "treasury_operations"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "chain_transactions_chain_id_from_address_status_idx" ON "chain_transactions"("chain_id", "from_address", "status");

-- CreateIndex
CREATE INDEX "chain_transactions_status_block_number_idx" ON "chain_transactions"("status", "block_number");

-- AddForeignKey
ALTER TABLE "chain_transaction_versions" ADD CONSTRAINT "chain_transaction_versions_tx_id_fkey" FOREIGN KEY ("tx_id") REFERENCES "chain_transactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Data: every hash signed so far becomes a version (hand-written; only the current version's
-- raw bytes were stored, so earlier versions keep an empty raw_tx and are never rebroadcast).
INSERT INTO "chain_transaction_versions" ("hash", "tx_id", "nonce", "kind", "raw_tx", "max_fee_per_gas", "max_priority_fee_per_gas", "created_at")
SELECT h.hash, t.id, t.nonce,
       (CASE WHEN h.hash = t.cancel_hash THEN 'CANCEL' WHEN h.ord = 1 THEN 'ORIGINAL' ELSE 'BUMP' END)::"ChainTxVersionKind",
       CASE WHEN h.hash = t.hash THEN t.raw_tx ELSE '' END,
       t.max_fee_per_gas, t.max_priority_fee_per_gas, t.created_at
FROM "chain_transactions" t, unnest(t.hashes) WITH ORDINALITY AS h(hash, ord)
ON CONFLICT DO NOTHING;

-- AlterTable
ALTER TABLE "chain_transactions" DROP COLUMN "cancel_hash",
DROP COLUMN "hashes";

