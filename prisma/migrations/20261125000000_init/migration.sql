-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "BeneficiaryStatus" AS ENUM ('PENDING', 'ACTIVE', 'FAILED');

-- CreateEnum
CREATE TYPE "Gender" AS ENUM ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "BankedStatus" AS ENUM ('UNKNOWN', 'UNBANKED', 'UNDER_BANKED', 'BANKED');

-- CreateEnum
CREATE TYPE "InternetStatus" AS ENUM ('UNKNOWN', 'NO_INTERNET', 'MOBILE_INTERNET', 'HOME_INTERNET');

-- CreateEnum
CREATE TYPE "PhoneStatus" AS ENUM ('UNKNOWN', 'NO_PHONE', 'FEATURE_PHONE', 'SMART_PHONE');

-- CreateEnum
CREATE TYPE "WalletKind" AS ENUM ('SMART', 'EXTERNAL');

-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('RECEIVING', 'VALIDATING', 'VALIDATED', 'ENROLLING', 'DEPLOYING_WALLETS', 'COMPLETED', 'CANCELLED', 'REJECTED', 'FAILED');

-- CreateEnum
CREATE TYPE "ImportRowStatus" AS ENUM ('STAGED', 'INVALID', 'DUPLICATE', 'ENROLLED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PENDING', 'SIGNED', 'SUBMITTED', 'CONFIRMED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('CREATED', 'RUNNING', 'PAUSED', 'COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ChainTxStatus" AS ENUM ('SIGNED', 'BROADCAST', 'MINED', 'DROPPED');

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'DEAD');

-- CreateEnum
CREATE TYPE "UserRole" AS ENUM ('ADMIN', 'PROJECT_MANAGER', 'OPERATOR', 'VIEWER');

-- CreateTable
CREATE TABLE "projects" (
    "id" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contract_deployments" (
    "chain_id" INTEGER NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "address" VARCHAR(42) NOT NULL,
    "code_hash" VARCHAR(66) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contract_deployments_pkey" PRIMARY KEY ("chain_id","name")
);

-- CreateTable
CREATE TABLE "beneficiaries" (
    "id" UUID NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "external_id" VARCHAR(128),
    "status" "BeneficiaryStatus" NOT NULL DEFAULT 'PENDING',
    "failure_reason" TEXT,
    "gender" "Gender",
    "birth_date" DATE,
    "age_range" VARCHAR(16),
    "location" VARCHAR(200),
    "banked_status" "BankedStatus",
    "internet_status" "InternetStatus",
    "phone_status" "PhoneStatus",
    "extras" JSONB,
    "import_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "beneficiaries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "beneficiary_personal" (
    "beneficiary_id" UUID NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "phone_index" CHAR(64),

    CONSTRAINT "beneficiary_personal_pkey" PRIMARY KEY ("beneficiary_id")
);

-- CreateTable
CREATE TABLE "wallets" (
    "id" UUID NOT NULL,
    "beneficiary_id" UUID NOT NULL,
    "address" VARCHAR(42) NOT NULL,
    "kind" "WalletKind" NOT NULL DEFAULT 'SMART',
    "deployed_at" TIMESTAMP(3),
    "deploy_tx_hash" VARCHAR(66),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wallets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "beneficiary_drafts" (
    "beneficiary_id" UUID NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "external_id" VARCHAR(128),
    "profile" JSONB NOT NULL,
    "personal" TEXT,
    "phone_index" CHAR(64),
    "wallet_address" VARCHAR(42),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "beneficiary_drafts_pkey" PRIMARY KEY ("beneficiary_id")
);

-- CreateTable
CREATE TABLE "groups" (
    "id" UUID NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "group_members" (
    "group_id" UUID NOT NULL,
    "beneficiary_id" UUID NOT NULL,
    "added_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "group_members_pkey" PRIMARY KEY ("group_id","beneficiary_id")
);

-- CreateTable
CREATE TABLE "beneficiary_imports" (
    "id" UUID NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "source" VARCHAR(64) NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "deploy_wallets" BOOLEAN NOT NULL,
    "group_id" UUID,
    "chunk_size" INTEGER NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'RECEIVING',
    "total_rows" INTEGER NOT NULL DEFAULT 0,
    "invalid_rows" INTEGER NOT NULL DEFAULT 0,
    "duplicate_rows" INTEGER NOT NULL DEFAULT 0,
    "enrolled_rows" INTEGER NOT NULL DEFAULT 0,
    "failed_rows" INTEGER NOT NULL DEFAULT 0,
    "cancelled_rows" INTEGER NOT NULL DEFAULT 0,
    "wallets_deployed" INTEGER NOT NULL DEFAULT 0,
    "failure_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "beneficiary_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_rows" (
    "import_id" UUID NOT NULL,
    "row_number" INTEGER NOT NULL,
    "status" "ImportRowStatus" NOT NULL,
    "beneficiary_id" UUID,
    "external_id" VARCHAR(128),
    "phone_index" CHAR(64),
    "wallet_address" VARCHAR(42),
    "profile" JSONB,
    "personal" TEXT,
    "errors" JSONB,

    CONSTRAINT "import_rows_pkey" PRIMARY KEY ("import_id","row_number")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "aggregate_id" VARCHAR(128) NOT NULL,
    "project_id" VARCHAR(64),
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMP(3),
    "fanned_out_at" TIMESTAMP(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payouts" (
    "id" VARCHAR(128) NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "beneficiary_id" UUID NOT NULL,
    "batch_id" VARCHAR(100),
    "wallet_address" VARCHAR(42),
    "amount" DECIMAL(78,0) NOT NULL,
    "status" "PayoutStatus" NOT NULL DEFAULT 'PENDING',
    "chunk_id" VARCHAR(66),
    "chunk_index" INTEGER,
    "tx_hash" VARCHAR(66),
    "block_number" BIGINT,
    "failure_reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "distribution_batches" (
    "id" VARCHAR(100) NOT NULL,
    "project_id" VARCHAR(64) NOT NULL,
    "status" "BatchStatus" NOT NULL DEFAULT 'CREATED',
    "target" JSONB NOT NULL,
    "chunk_size" INTEGER NOT NULL,
    "payout_count" INTEGER NOT NULL DEFAULT 0,
    "total_amount" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "funded_amount" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "returned_amount" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "round" INTEGER NOT NULL DEFAULT 0,
    "failure_reason" TEXT,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "distribution_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout_chunks" (
    "id" VARCHAR(66) NOT NULL,
    "batch_id" VARCHAR(100) NOT NULL,
    "round" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" "PayoutStatus" NOT NULL DEFAULT 'PENDING',
    "payout_count" INTEGER NOT NULL,
    "total" DECIMAL(78,0) NOT NULL,
    "tx_hash" VARCHAR(66),
    "block_number" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payout_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chain_transactions" (
    "id" UUID NOT NULL,
    "purpose" VARCHAR(200) NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "from_address" VARCHAR(42) NOT NULL,
    "nonce" INTEGER NOT NULL,
    "to_address" VARCHAR(42) NOT NULL,
    "data" TEXT NOT NULL,
    "value" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "gas_limit" BIGINT NOT NULL,
    "max_fee_per_gas" DECIMAL(78,0) NOT NULL,
    "max_priority_fee_per_gas" DECIMAL(78,0) NOT NULL,
    "raw_tx" TEXT NOT NULL,
    "hash" VARCHAR(66) NOT NULL,
    "hashes" TEXT[],
    "cancel_hash" VARCHAR(66),
    "status" "ChainTxStatus" NOT NULL DEFAULT 'SIGNED',
    "mined_hash" VARCHAR(66),
    "block_number" BIGINT,
    "succeeded" BOOLEAN,
    "gas_used" BIGINT,
    "broadcast_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signer_nonces" (
    "chain_id" INTEGER NOT NULL,
    "address" VARCHAR(42) NOT NULL,
    "next_nonce" INTEGER NOT NULL,

    CONSTRAINT "signer_nonces_pkey" PRIMARY KEY ("chain_id","address")
);

-- CreateTable
CREATE TABLE "project_disbursements" (
    "project_id" VARCHAR(64) NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "address" VARCHAR(42) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "project_disbursements_pkey" PRIMARY KEY ("project_id")
);

-- CreateTable
CREATE TABLE "webhook_subscriptions" (
    "id" UUID NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "event_types" TEXT[],
    "project_id" VARCHAR(64),
    "secret_encrypted" TEXT NOT NULL,
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status_code" INTEGER,
    "last_error" VARCHAR(500),
    "delivered_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "actor" VARCHAR(200) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "response_status" INTEGER,
    "response_body" JSONB,
    "location" VARCHAR(2048),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("actor","key")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "password_hash" VARCHAR(256) NOT NULL,
    "role" "UserRole" NOT NULL,
    "projects" VARCHAR(64)[],
    "disabled_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "secret_hash" VARCHAR(64) NOT NULL,
    "permissions" VARCHAR(64)[],
    "projects" VARCHAR(64)[],
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),
    "last_used_at" TIMESTAMP(3),
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(200) NOT NULL,
    "action" VARCHAR(200) NOT NULL,
    "target_id" VARCHAR(200),
    "request_id" VARCHAR(64) NOT NULL,
    "status" INTEGER NOT NULL,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "beneficiaries_project_id_status_idx" ON "beneficiaries"("project_id", "status");

-- CreateIndex
CREATE INDEX "beneficiaries_import_id_idx" ON "beneficiaries"("import_id");

-- CreateIndex
CREATE UNIQUE INDEX "beneficiaries_project_id_external_id_key" ON "beneficiaries"("project_id", "external_id");

-- CreateIndex
CREATE INDEX "beneficiary_personal_phone_index_idx" ON "beneficiary_personal"("phone_index");

-- CreateIndex
CREATE UNIQUE INDEX "beneficiary_personal_project_id_phone_index_key" ON "beneficiary_personal"("project_id", "phone_index");

-- CreateIndex
CREATE UNIQUE INDEX "wallets_beneficiary_id_key" ON "wallets"("beneficiary_id");

-- CreateIndex
CREATE UNIQUE INDEX "wallets_address_key" ON "wallets"("address");

-- CreateIndex
CREATE INDEX "wallets_deployed_at_idx" ON "wallets"("deployed_at");

-- CreateIndex
CREATE UNIQUE INDEX "groups_project_id_name_key" ON "groups"("project_id", "name");

-- CreateIndex
CREATE INDEX "group_members_beneficiary_id_idx" ON "group_members"("beneficiary_id");

-- CreateIndex
CREATE INDEX "beneficiary_imports_project_id_created_at_idx" ON "beneficiary_imports"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "import_rows_import_id_status_idx" ON "import_rows"("import_id", "status");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_created_at_idx" ON "outbox_events"("published_at", "created_at");

-- CreateIndex
CREATE INDEX "outbox_events_fanned_out_at_created_at_idx" ON "outbox_events"("fanned_out_at", "created_at");

-- CreateIndex
CREATE INDEX "payouts_beneficiary_id_idx" ON "payouts"("beneficiary_id");

-- CreateIndex
CREATE INDEX "payouts_project_id_status_idx" ON "payouts"("project_id", "status");

-- CreateIndex
CREATE INDEX "payouts_batch_id_status_idx" ON "payouts"("batch_id", "status");

-- CreateIndex
CREATE INDEX "payouts_chunk_id_chunk_index_idx" ON "payouts"("chunk_id", "chunk_index");

-- CreateIndex
CREATE INDEX "distribution_batches_project_id_status_idx" ON "distribution_batches"("project_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "payout_chunks_batch_id_round_seq_key" ON "payout_chunks"("batch_id", "round", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "chain_transactions_purpose_key" ON "chain_transactions"("purpose");

-- CreateIndex
CREATE UNIQUE INDEX "chain_transactions_chain_id_from_address_nonce_key" ON "chain_transactions"("chain_id", "from_address", "nonce");

-- CreateIndex
CREATE INDEX "webhook_subscriptions_project_id_idx" ON "webhook_subscriptions"("project_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_subscription_id_event_id_key" ON "webhook_deliveries"("subscription_id", "event_id");

-- CreateIndex
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");

-- CreateIndex
CREATE INDEX "refresh_tokens_user_id_idx" ON "refresh_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "audit_logs_actor_id_id_idx" ON "audit_logs"("actor_id", "id");

-- CreateIndex
CREATE INDEX "audit_logs_action_id_idx" ON "audit_logs"("action", "id");

-- CreateIndex
CREATE INDEX "audit_logs_at_idx" ON "audit_logs"("at");

-- AddForeignKey
ALTER TABLE "beneficiaries" ADD CONSTRAINT "beneficiaries_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "beneficiary_personal" ADD CONSTRAINT "beneficiary_personal_beneficiary_id_fkey" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_beneficiary_id_fkey" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "groups" ADD CONSTRAINT "groups_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_beneficiary_id_fkey" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "beneficiary_imports" ADD CONSTRAINT "beneficiary_imports_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "beneficiary_imports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_beneficiary_id_fkey" FOREIGN KEY ("beneficiary_id") REFERENCES "beneficiaries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "outbox_events"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

