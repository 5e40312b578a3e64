/**
 * Applies the QoS retention tiers (server/domain/qos/retention.ts) to QosSample in SQL: deletes readings
 * past retention, and in each bucketed tier keeps only the last reading of each epoch-aligned bucket per
 * (host, group, domain). Idempotent; run it periodically (every few minutes is plenty). QosSample is
 * partitioned by "at" with primary key (hostId, at, id): the join names the whole key and the tier's range so
 * only the tier's partitions are read.
 */
import { prisma } from "@/server/db";
import { QOS_RETENTION_MS, QOS_RETENTION_TIERS } from "@/server/domain/qos/retention";

/**
 * `sinceMs`: thin only the slice of each tier that readings entered in the last `sinceMs` (widened to whole
 * buckets), not the whole tier — what a periodic run needs when the previous one ran less than `sinceMs`
 * ago (at 20,000 hosts the 6 h–30 d window holds hundreds of millions of readings). Without it, every tier
 * is thinned whole (a run after downtime).
 */
export async function thinQosSamples(now: Date, opts: { deleteExpired?: boolean; sinceMs?: number } = {}): Promise<{ expired: number; thinned: number }> {
  const db = prisma();
  // The housekeeping task (server/services/housekeeping/) passes deleteExpired: false: it drops whole
  // expired partitions instead of deleting their rows.
  const expired = opts.deleteExpired === false ? 0 : await db.$executeRaw`DELETE FROM "QosSample" WHERE "at" <= ${new Date(now.getTime() - QOS_RETENTION_MS)}`;
  let thinned = 0;
  let youngerBound = 0;
  for (const tier of QOS_RETENTION_TIERS) {
    const hi = new Date(now.getTime() - youngerBound);
    youngerBound = tier.youngerThanMs;
    if (tier.bucketMs === null) continue;
    let loMs = now.getTime() - tier.youngerThanMs;
    // the slice starts at a bucket boundary (minus 1 ms: "at" > lo), so each bucket it touches is seen whole
    if (opts.sinceMs !== undefined) loMs = Math.max(loMs, Math.floor((hi.getTime() - opts.sinceMs) / tier.bucketMs) * tier.bucketMs - 1);
    const lo = new Date(loMs);
    const bucketSeconds = tier.bucketMs / 1000;
    thinned += await db.$executeRaw`
      DELETE FROM "QosSample" q USING (
        SELECT "hostId", "at", "id", row_number() OVER (
          PARTITION BY "hostId", "group", "domain", floor(extract(epoch FROM "at") / ${bucketSeconds}::double precision)
          ORDER BY "at" DESC, "id" DESC) AS rn
        FROM "QosSample" WHERE "at" > ${lo} AND "at" <= ${hi}
      ) x
      WHERE q."hostId" = x."hostId" AND q."at" = x."at" AND q."id" = x."id" AND q."at" > ${lo} AND q."at" <= ${hi} AND x.rn > 1`;
  }
  return { expired, thinned };
}
