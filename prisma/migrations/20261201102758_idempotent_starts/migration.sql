-- AlterTable
ALTER TABLE "beneficiary_imports" ADD COLUMN     "request_fingerprint" VARCHAR(64);

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "seq" INTEGER;

-- AlterTable
ALTER TABLE "distribution_batches" ADD COLUMN     "request_fingerprint" VARCHAR(64);

-- AlterTable
ALTER TABLE "idempotency_records" ADD COLUMN     "locked_until" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "payouts_batch_id_seq_key" ON "payouts"("batch_id", "seq");

