-- Time-series tables partitioned by time (PostgreSQL declarative RANGE partitioning), issue 15.
--
-- LatencyRun and LatencyThread by the run's start, QosSample by "at", DriftEvent by "at",
-- HostSectionHistory by "changedAt". Every primary and unique key now starts with "hostId" (the Citus
-- distribution column) and includes the partition key, as PostgreSQL requires of a partitioned table.
-- LatencyThread carries its run's "hostId" and "runStartedAt" so its foreign key to LatencyRun can
-- include the partition key.
--
-- This migration creates each table with only a DEFAULT partition (a plain SQL migration cannot compute
-- dates, and Prisma's script splitter rules out PL/pgSQL). The housekeeping task
-- (server/services/housekeeping/run-housekeeping.ts, run at start and periodically by every agent-API
-- process) creates the daily or weekly partitions ahead, moves rows out of DEFAULT into their own
-- partitions, and drops expired partitions whole. An insert never fails for want of a partition.
--
-- Existing rows are copied (create partitioned table, copy, drop old, rename), ids and sequences kept.

-- ── LatencyRun + LatencyThread ───────────────────────────────────────────────────────────────

CREATE TABLE "LatencyRun_new" (
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
    CONSTRAINT "LatencyRun_new_pkey" PRIMARY KEY ("hostId", "startedAt", "id")
) PARTITION BY RANGE ("startedAt");

CREATE TABLE "LatencyRun_default" PARTITION OF "LatencyRun_new" DEFAULT;

INSERT INTO "LatencyRun_new" ("id", "hostId", "startedAt", "durationS", "toolVersion", "cmdline", "priority", "intervalUs", "load", "unit",
    "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "min", "max", "avg", "histogram", "createdAt")
SELECT "id", "hostId", "startedAt", "durationS", "toolVersion", "cmdline", "priority", "intervalUs", "load", "unit",
    "histogramSize", "source", "idempotencyKey", "cycles", "overflows", "min", "max", "avg", "histogram", "createdAt"
FROM "LatencyRun";

CREATE TABLE "LatencyThread_new" (
    "hostId" UUID NOT NULL,
    "runStartedAt" TIMESTAMP(3) NOT NULL,
    "runId" UUID NOT NULL,
    "thread" INTEGER NOT NULL,
    "cpu" INTEGER,
    "cycles" BIGINT NOT NULL,
    "overflows" BIGINT NOT NULL,
    "min" DOUBLE PRECISION,
    "avg" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "histogram" JSONB NOT NULL,
    CONSTRAINT "LatencyThread_new_pkey" PRIMARY KEY ("hostId", "runStartedAt", "runId", "thread")
) PARTITION BY RANGE ("runStartedAt");

CREATE TABLE "LatencyThread_default" PARTITION OF "LatencyThread_new" DEFAULT;

INSERT INTO "LatencyThread_new" ("hostId", "runStartedAt", "runId", "thread", "cpu", "cycles", "overflows", "min", "avg", "max", "histogram")
SELECT r."hostId", r."startedAt", t."runId", t."thread", t."cpu", t."cycles", t."overflows", t."min", t."avg", t."max", t."histogram"
FROM "LatencyThread" t JOIN "LatencyRun" r ON r."id" = t."runId";

DROP TABLE "LatencyThread";
DROP TABLE "LatencyRun";

ALTER TABLE "LatencyRun_new" RENAME TO "LatencyRun";
ALTER TABLE "LatencyRun" RENAME CONSTRAINT "LatencyRun_new_pkey" TO "LatencyRun_pkey";
ALTER TABLE "LatencyThread_new" RENAME TO "LatencyThread";
ALTER TABLE "LatencyThread" RENAME CONSTRAINT "LatencyThread_new_pkey" TO "LatencyThread_pkey";

-- resends carry the same run (same start), so the key with the partition key still deduplicates
CREATE UNIQUE INDEX "LatencyRun_hostId_idempotencyKey_key" ON "LatencyRun"("hostId", "idempotencyKey", "startedAt");
CREATE INDEX "LatencyRun_startedAt_idx" ON "LatencyRun"("startedAt");
-- a run page is addressed by its id alone (the id stays globally unique: a v4 UUID made by the client)
CREATE INDEX "LatencyRun_id_idx" ON "LatencyRun"("id");

ALTER TABLE "LatencyRun" ADD CONSTRAINT "LatencyRun_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "LatencyThread" ADD CONSTRAINT "LatencyThread_run_fkey" FOREIGN KEY ("hostId", "runStartedAt", "runId") REFERENCES "LatencyRun"("hostId", "startedAt", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ── QosSample ────────────────────────────────────────────────────────────────────────────────

ALTER SEQUENCE "QosSample_id_seq" OWNED BY NONE;

CREATE TABLE "QosSample_new" (
    "id" BIGINT NOT NULL DEFAULT nextval('"QosSample_id_seq"'),
    "hostId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "group" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "llcOccupancyBytes" BIGINT,
    "mbmTotalBytes" BIGINT,
    "mbmLocalBytes" BIGINT,
    CONSTRAINT "QosSample_new_pkey" PRIMARY KEY ("hostId", "at", "id")
) PARTITION BY RANGE ("at");

CREATE TABLE "QosSample_default" PARTITION OF "QosSample_new" DEFAULT;

INSERT INTO "QosSample_new" ("id", "hostId", "at", "group", "domain", "llcOccupancyBytes", "mbmTotalBytes", "mbmLocalBytes")
SELECT "id", "hostId", "at", "group", "domain", "llcOccupancyBytes", "mbmTotalBytes", "mbmLocalBytes" FROM "QosSample";

DROP TABLE "QosSample";
ALTER TABLE "QosSample_new" RENAME TO "QosSample";
ALTER TABLE "QosSample" RENAME CONSTRAINT "QosSample_new_pkey" TO "QosSample_pkey";
ALTER SEQUENCE "QosSample_id_seq" OWNED BY "QosSample"."id";
ALTER TABLE "QosSample" ADD CONSTRAINT "QosSample_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ── DriftEvent ───────────────────────────────────────────────────────────────────────────────

ALTER SEQUENCE "DriftEvent_id_seq" OWNED BY NONE;

CREATE TABLE "DriftEvent_new" (
    "id" BIGINT NOT NULL DEFAULT nextval('"DriftEvent_id_seq"'),
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
    CONSTRAINT "DriftEvent_new_pkey" PRIMARY KEY ("hostId", "at", "id")
) PARTITION BY RANGE ("at");

CREATE TABLE "DriftEvent_default" PARTITION OF "DriftEvent_new" DEFAULT;

INSERT INTO "DriftEvent_new" ("id", "hostId", "at", "kind", "section", "key", "oldValue", "newValue", "ruleId", "oldStatus", "newStatus")
SELECT "id", "hostId", "at", "kind", "section", "key", "oldValue", "newValue", "ruleId", "oldStatus", "newStatus" FROM "DriftEvent";

DROP TABLE "DriftEvent";
ALTER TABLE "DriftEvent_new" RENAME TO "DriftEvent";
ALTER TABLE "DriftEvent" RENAME CONSTRAINT "DriftEvent_new_pkey" TO "DriftEvent_pkey";
ALTER SEQUENCE "DriftEvent_id_seq" OWNED BY "DriftEvent"."id";
ALTER TABLE "DriftEvent" ADD CONSTRAINT "DriftEvent_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ── HostSectionHistory ───────────────────────────────────────────────────────────────────────

ALTER SEQUENCE "HostSectionHistory_id_seq" OWNED BY NONE;

CREATE TABLE "HostSectionHistory_new" (
    "id" BIGINT NOT NULL DEFAULT nextval('"HostSectionHistory_id_seq"'),
    "hostId" UUID NOT NULL,
    "section" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "data" JSONB,
    "changedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "HostSectionHistory_new_pkey" PRIMARY KEY ("hostId", "changedAt", "id")
) PARTITION BY RANGE ("changedAt");

CREATE TABLE "HostSectionHistory_default" PARTITION OF "HostSectionHistory_new" DEFAULT;

INSERT INTO "HostSectionHistory_new" ("id", "hostId", "section", "hash", "data", "changedAt")
SELECT "id", "hostId", "section", "hash", "data", "changedAt" FROM "HostSectionHistory";

DROP TABLE "HostSectionHistory";
ALTER TABLE "HostSectionHistory_new" RENAME TO "HostSectionHistory";
ALTER TABLE "HostSectionHistory" RENAME CONSTRAINT "HostSectionHistory_new_pkey" TO "HostSectionHistory_pkey";
ALTER SEQUENCE "HostSectionHistory_id_seq" OWNED BY "HostSectionHistory"."id";
CREATE INDEX "HostSectionHistory_hostId_section_changedAt_idx" ON "HostSectionHistory"("hostId", "section", "changedAt");
ALTER TABLE "HostSectionHistory" ADD CONSTRAINT "HostSectionHistory_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;
