-- Jobs: what the console asks an agent to do (live migration, tuning). Claimed with
-- FOR UPDATE SKIP LOCKED, a lease the agent renews, never re-queued after a claim.

-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('migrate', 'tune');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('pending', 'claimed', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "Job" (
    "id" UUID NOT NULL,
    "kind" "JobKind" NOT NULL,
    "hostId" UUID NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "target" TEXT,
    "state" "JobState" NOT NULL DEFAULT 'pending',
    "requestedById" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "leaseExpiresAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "progress" JSONB,
    "result" JSONB,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Job_requestedById_idempotencyKey_key" ON "Job"("requestedById", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Job_hostId_state_createdAt_idx" ON "Job"("hostId", "state", "createdAt");

-- CreateIndex
CREATE INDEX "Job_state_leaseExpiresAt_idx" ON "Job"("state", "leaseExpiresAt");

-- CreateIndex
CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
