-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'operator', 'admin');

-- CreateTable
CREATE TABLE "user" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailVerified" BOOLEAN NOT NULL DEFAULT false,
    "image" TEXT,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "token" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "ipAddress" TEXT,
    "userAgent" TEXT,
    "userId" TEXT NOT NULL,

    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accessToken" TEXT,
    "refreshToken" TEXT,
    "idToken" TEXT,
    "accessTokenExpiresAt" TIMESTAMP(3),
    "refreshTokenExpiresAt" TIMESTAMP(3),
    "scope" TEXT,
    "password" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification" (
    "id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "verification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Host" (
    "id" UUID NOT NULL,
    "hostname" TEXT NOT NULL,
    "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "agentVersion" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "enrolledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tokenHash" TEXT NOT NULL,
    "lastSequence" BIGINT NOT NULL DEFAULT -1,
    "profileId" TEXT,
    "cpuModel" TEXT,
    "cpuVendor" TEXT,
    "sockets" INTEGER,
    "numaNodes" INTEGER,
    "cpus" INTEGER,
    "kernelRelease" TEXT,
    "isVirtual" BOOLEAN,
    "heartbeatSeconds" INTEGER NOT NULL DEFAULT 10,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnrollmentToken" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "hostId" UUID,

    CONSTRAINT "EnrollmentToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" BIGSERIAL NOT NULL,
    "hostId" UUID NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "sequence" BIGINT NOT NULL,
    "collectedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sectionsChanged" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HostSection" (
    "hostId" UUID NOT NULL,
    "section" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "available" BOOLEAN NOT NULL,
    "error" TEXT,
    "durationMs" DOUBLE PRECISION NOT NULL,
    "data" JSONB,
    "collectedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HostSection_pkey" PRIMARY KEY ("hostId","section")
);

-- CreateTable
CREATE TABLE "HostSectionHistory" (
    "id" BIGSERIAL NOT NULL,
    "hostId" UUID NOT NULL,
    "section" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "data" JSONB,
    "changedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HostSectionHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Profile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "kind" TEXT NOT NULL DEFAULT 'host',
    "basedOnId" TEXT,
    "rules" JSONB NOT NULL,
    "sloMaxUs" DOUBLE PRECISION,
    "sloP99999Us" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Profile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProfileLabelAssignment" (
    "label" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProfileLabelAssignment_pkey" PRIMARY KEY ("label")
);

-- CreateTable
CREATE TABLE "ComplianceResult" (
    "hostId" UUID NOT NULL,
    "profileId" TEXT NOT NULL,
    "evaluatedAt" TIMESTAMP(3) NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "pass" INTEGER NOT NULL,
    "fail" INTEGER NOT NULL,
    "warn" INTEGER NOT NULL,
    "na" INTEGER NOT NULL,
    "sections" JSONB NOT NULL,
    "findings" JSONB NOT NULL,
    "inputHash" TEXT NOT NULL,

    CONSTRAINT "ComplianceResult_pkey" PRIMARY KEY ("hostId")
);

-- CreateTable
CREATE TABLE "DriftEvent" (
    "id" BIGSERIAL NOT NULL,
    "hostId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "section" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "oldValue" TEXT,
    "newValue" TEXT,
    "ruleId" TEXT,
    "oldStatus" TEXT,
    "newStatus" TEXT,

    CONSTRAINT "DriftEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LatencyRun" (
    "id" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "durationS" DOUBLE PRECISION NOT NULL,
    "toolVersion" TEXT,
    "cmdline" TEXT,
    "priority" INTEGER,
    "intervalUs" INTEGER,
    "load" TEXT NOT NULL DEFAULT 'idle',
    "unit" TEXT NOT NULL DEFAULT 'us',
    "histogramSize" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "cycles" BIGINT NOT NULL,
    "overflows" BIGINT NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "avg" DOUBLE PRECISION,
    "histogram" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LatencyRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LatencyThread" (
    "runId" UUID NOT NULL,
    "thread" INTEGER NOT NULL,
    "cpu" INTEGER,
    "cycles" BIGINT NOT NULL,
    "overflows" BIGINT NOT NULL,
    "min" DOUBLE PRECISION,
    "avg" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "histogram" JSONB NOT NULL,

    CONSTRAINT "LatencyThread_pkey" PRIMARY KEY ("runId","thread")
);

-- CreateTable
CREATE TABLE "LatencyRollup" (
    "hostId" UUID NOT NULL,
    "granularity" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "unit" TEXT NOT NULL DEFAULT 'us',
    "histogramSize" INTEGER NOT NULL,
    "runs" INTEGER NOT NULL,
    "cycles" BIGINT NOT NULL,
    "overflows" BIGINT NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "weightedSum" DOUBLE PRECISION NOT NULL,
    "histogram" JSONB NOT NULL,

    CONSTRAINT "LatencyRollup_pkey" PRIMARY KEY ("hostId","granularity","bucketStart")
);

-- CreateTable
CREATE TABLE "LatencySchedule" (
    "hostId" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "cpus" TEXT NOT NULL,
    "durationS" INTEGER NOT NULL,
    "intervalUs" INTEGER NOT NULL DEFAULT 200,
    "priority" INTEGER NOT NULL DEFAULT 95,
    "histogramSize" INTEGER NOT NULL DEFAULT 400,
    "everyMinutes" INTEGER NOT NULL DEFAULT 5,
    "load" TEXT NOT NULL DEFAULT 'idle',
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "LatencySchedule_pkey" PRIMARY KEY ("hostId")
);

-- CreateTable
CREATE TABLE "QosSample" (
    "id" BIGSERIAL NOT NULL,
    "hostId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "group" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "llcOccupancyBytes" BIGINT,
    "mbmTotalBytes" BIGINT,
    "mbmLocalBytes" BIGINT,

    CONSTRAINT "QosSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "user_email_key" ON "user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "session_token_key" ON "session"("token");

-- CreateIndex
CREATE INDEX "session_userId_idx" ON "session"("userId");

-- CreateIndex
CREATE INDEX "account_userId_idx" ON "account"("userId");

-- CreateIndex
CREATE INDEX "verification_identifier_idx" ON "verification"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "Host_tokenHash_key" ON "Host"("tokenHash");

-- CreateIndex
CREATE INDEX "Host_hostname_idx" ON "Host"("hostname");

-- CreateIndex
CREATE INDEX "Host_lastSeenAt_idx" ON "Host"("lastSeenAt");

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentToken_tokenHash_key" ON "EnrollmentToken"("tokenHash");

-- CreateIndex
CREATE INDEX "Report_hostId_receivedAt_idx" ON "Report"("hostId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Report_hostId_idempotencyKey_key" ON "Report"("hostId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "HostSectionHistory_hostId_section_changedAt_idx" ON "HostSectionHistory"("hostId", "section", "changedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_idx" ON "AuditEvent"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "DriftEvent_hostId_at_idx" ON "DriftEvent"("hostId", "at");

-- CreateIndex
CREATE INDEX "LatencyRun_hostId_startedAt_idx" ON "LatencyRun"("hostId", "startedAt");

-- CreateIndex
CREATE INDEX "LatencyRun_startedAt_idx" ON "LatencyRun"("startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "LatencyRun_hostId_idempotencyKey_key" ON "LatencyRun"("hostId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "LatencyRollup_granularity_bucketStart_idx" ON "LatencyRollup"("granularity", "bucketStart");

-- CreateIndex
CREATE INDEX "QosSample_hostId_at_idx" ON "QosSample"("hostId", "at");

-- AddForeignKey
ALTER TABLE "session" ADD CONSTRAINT "session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Host" ADD CONSTRAINT "Host_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HostSection" ADD CONSTRAINT "HostSection_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HostSectionHistory" ADD CONSTRAINT "HostSectionHistory_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProfileLabelAssignment" ADD CONSTRAINT "ProfileLabelAssignment_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ComplianceResult" ADD CONSTRAINT "ComplianceResult_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftEvent" ADD CONSTRAINT "DriftEvent_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LatencyRun" ADD CONSTRAINT "LatencyRun_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LatencyThread" ADD CONSTRAINT "LatencyThread_runId_fkey" FOREIGN KEY ("runId") REFERENCES "LatencyRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LatencyRollup" ADD CONSTRAINT "LatencyRollup_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LatencySchedule" ADD CONSTRAINT "LatencySchedule_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QosSample" ADD CONSTRAINT "QosSample_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

