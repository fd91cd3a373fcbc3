-- AlterTable
-- Projects that exist now derived their beneficiary ids with sha256 (derivation 1) and keep it:
-- their people must get the same ids, and so the same wallet addresses, when registered again.
-- Projects created from now on default to the keyed HMAC (derivation 2, common/ids.ts).
ALTER TABLE "projects" ADD COLUMN     "id_derivation" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "projects" ALTER COLUMN "id_derivation" SET DEFAULT 2;
