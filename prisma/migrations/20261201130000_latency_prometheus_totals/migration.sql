-- Cumulative cyclictest samples per host in Prometheus's fixed buckets (GET /metrics).
CREATE TABLE "LatencyPromTotal" (
    "hostId" UUID NOT NULL,
    "le" BIGINT[],
    "count" BIGINT NOT NULL,
    "sumSeconds" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "LatencyPromTotal_pkey" PRIMARY KEY ("hostId")
);

ALTER TABLE "LatencyPromTotal" ADD CONSTRAINT "LatencyPromTotal_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill from the day rollups (already in µs, buckets at or above a rollup size are overflows
-- counted only in +Inf), so hosts keep the samples they reported before this migration.
WITH buckets AS (
    SELECT r."hostId", (e.key)::int AS bucket, (e.value #>> '{}')::bigint AS n
    FROM "LatencyRollup" r, jsonb_each(r."histogram") e
    WHERE r."granularity" = 'day' AND r."runs" > 0 AND (e.key)::int < r."histogramSize"
), totals AS (
    SELECT "hostId", SUM("cycles")::bigint AS cycles, SUM("weightedSum") AS weighted
    FROM "LatencyRollup"
    WHERE "granularity" = 'day' AND "runs" > 0
    GROUP BY "hostId"
)
INSERT INTO "LatencyPromTotal" ("hostId", "le", "count", "sumSeconds", "updatedAt")
SELECT t."hostId",
       ARRAY(
           SELECT COALESCE(SUM(b.n) FILTER (WHERE b.bucket <= bound.us), 0)::bigint
           FROM unnest(ARRAY[5, 10, 15, 20, 30, 50, 100, 200, 500, 1000]) WITH ORDINALITY AS bound(us, i)
           LEFT JOIN buckets b ON b."hostId" = t."hostId"
           GROUP BY bound.i
           ORDER BY bound.i
       ),
       t.cycles,
       GREATEST(t.weighted, 0) / 1e6,
       CURRENT_TIMESTAMP
FROM totals t;

-- The agent's loss counters from its latest heartbeat (exported as Prometheus counters).
ALTER TABLE "Host" ADD COLUMN "agentSpoolDropped" BIGINT,
                   ADD COLUMN "agentRejected" BIGINT,
                   ADD COLUMN "agentSetAside" BIGINT;
