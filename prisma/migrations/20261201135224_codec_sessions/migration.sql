-- CreateTable
CREATE TABLE "codec_sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "codec_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "codec_sessions_user_id_idx" ON "codec_sessions"("user_id");

-- CreateIndex
CREATE INDEX "codec_sessions_expires_at_idx" ON "codec_sessions"("expires_at");

-- AddForeignKey
ALTER TABLE "codec_sessions" ADD CONSTRAINT "codec_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

