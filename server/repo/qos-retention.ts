/**
 * Applies the QoS retention tiers (server/domain/qos/retention.ts) to QosSample in SQL: deletes readings
 * past retention, and in each bucketed tier keeps only the last reading of each epoch-aligned bucket per
 * (host, group, domain). Idempotent; run it periodically (every few minutes is plenty). QosSample is
 * partitioned by "at" with primary key (hostId, at, id): the join names the whole key and the tier's range so
 * only the tier's partitions are read.
 */
import { prisma } from "@/server/db";
import { QOS_RETENTION_MS, QOS_RETENTION_TIERS } from "@/server/domain/qos/retention";

export async function thinQosSamples(now: Date, opts: { deleteExpired?: boolean } = {}): Promise<{ expired: number; thinned: number }> {
  const db = prisma();
  // The housekeeping task (server/services/housekeeping/) passes deleteExpired: false: it drops whole
  // expired partitions instead of deleting their rows.
  const expired = opts.deleteExpired === false ? 0 : await db.$executeRaw`DELETE FROM "QosSample" WHERE "at" <= ${new Date(now.getTime() - QOS_RETENTION_MS)}`;
  let thinned = 0;
  let youngerBound = 0;
  for (const tier of QOS_RETENTION_TIERS) {
    const lo = new Date(now.getTime() - tier.youngerThanMs);
    const hi = new Date(now.getTime() - youngerBound);
    youngerBound = tier.youngerThanMs;
    if (tier.bucketMs === null) continue;
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
