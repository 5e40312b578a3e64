-- Per-host latency statistics over the preset windows (24h, 7d, 30d), precomputed from the rollups so the
-- fleet latency page reads one small row per host instead of merging every host's histograms per request
-- (server/repo/latency-window-summary.ts). The window ends at a whole UTC hour (the summary's "as of").
-- Ingest bumps "ingestSeq" (and sets "stale" when the run falls inside the stored window), a refresher
-- recomputes stale rows and rows whose window has moved. The key leads with "hostId" (Citus, docs/scale.md).
CREATE SEQUENCE "LatencyWindowSummary_rev_seq";

CREATE TABLE "LatencyWindowSummary" (
  "hostId" UUID NOT NULL,
  "preset" TEXT NOT NULL,
  "windowFrom" TIMESTAMP(3),
  "windowTo" TIMESTAMP(3),
  "computedAt" TIMESTAMP(3),
  "stale" BOOLEAN NOT NULL DEFAULT true,
  "ingestSeq" BIGINT NOT NULL DEFAULT 0,
  "rev" BIGINT NOT NULL DEFAULT nextval('"LatencyWindowSummary_rev_seq"'),
  "histogramSize" INTEGER,
  "runs" INTEGER,
  "total" BIGINT,
  "overflows" BIGINT,
  "min" DOUBLE PRECISION,
  "max" DOUBLE PRECISION,
  "weightedSum" DOUBLE PRECISION,
  "weightedCycles" DOUBLE PRECISION,
  "p50" INTEGER,
  "p99" INTEGER,
  "p999" INTEGER,
  "p9999" INTEGER,
  "p99999" INTEGER,
  "histogram" JSONB,
  CONSTRAINT "LatencyWindowSummary_pkey" PRIMARY KEY ("hostId", "preset")
);

ALTER SEQUENCE "LatencyWindowSummary_rev_seq" OWNED BY "LatencyWindowSummary"."rev";

ALTER TABLE "LatencyWindowSummary" ADD CONSTRAINT "LatencyWindowSummary_hostId_fkey"
  FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE INDEX "LatencyWindowSummary_preset_rev_idx" ON "LatencyWindowSummary" ("preset", "rev");

-- The whole fleet's merged histogram per preset window, from the host rows above ("sourceRev" and
-- "sourceRows" say which host rows it was merged from, so a reader can tell it is current).
CREATE TABLE "LatencyFleetWindowSummary" (
  "preset" TEXT NOT NULL,
  "windowFrom" TIMESTAMP(3) NOT NULL,
  "windowTo" TIMESTAMP(3) NOT NULL,
  "computedAt" TIMESTAMP(3) NOT NULL,
  "sourceRev" BIGINT NOT NULL,
  "sourceRows" INTEGER NOT NULL,
  "histogramSize" INTEGER,
  "runs" INTEGER,
  "overflows" BIGINT,
  "min" DOUBLE PRECISION,
  "max" DOUBLE PRECISION,
  "weightedSum" DOUBLE PRECISION,
  "weightedCycles" DOUBLE PRECISION,
  "histogram" JSONB,
  CONSTRAINT "LatencyFleetWindowSummary_pkey" PRIMARY KEY ("preset")
);
