/**
 * Applies the QoS retention tiers (server/domain/qos/retention.ts) to QosSample in SQL: deletes readings
 * past retention, and in each bucketed tier keeps only the last reading of each epoch-aligned bucket per
 * (host, group, domain). Idempotent; run it periodically (every few minutes is plenty).
 */
import { prisma } from "@/server/db";
import { QOS_RETENTION_MS, QOS_RETENTION_TIERS } from "@/server/domain/qos/retention";

export async function thinQosSamples(now: Date): Promise<{ expired: number; thinned: number }> {
  const db = prisma();
  const expired = await db.$executeRaw`DELETE FROM "QosSample" WHERE "at" <= ${new Date(now.getTime() - QOS_RETENTION_MS)}`;
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
        SELECT "id", row_number() OVER (
          PARTITION BY "hostId", "group", "domain", floor(extract(epoch FROM "at") / ${bucketSeconds}::double precision)
          ORDER BY "at" DESC, "id" DESC) AS rn
        FROM "QosSample" WHERE "at" > ${lo} AND "at" <= ${hi}
      ) x
      WHERE q."id" = x."id" AND x.rn > 1`;
  }
  return { expired, thinned };
}
