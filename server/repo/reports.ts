import { prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { SECTION_NAMES, type ReportInput, type SectionName } from "@/server/contract/report";
import { hostSummaryFromSections } from "@/server/domain/hosts/summary";
import { storeLatencyRunsTx } from "@/server/repo/latency-ingest";

export type StoredReport = { stored: boolean; duplicate: boolean; sectionsChanged: SectionName[] };

/**
 * Writes one full report for `hostId` in one transaction (called by server/services/reports/store-report.ts,
 * which has checked the host and the section hashes). Idempotent by (host, idempotencyKey); a section is
 * rewritten only when its content hash changed, and then a history row is added.
 */
export async function insertReport(opts: { hostId: string; input: ReportInput; hashes: ReadonlyMap<SectionName, string>; receivedAt: Date }): Promise<StoredReport> {
  const { hostId, input, receivedAt: now } = opts;
  const serverHashes = opts.hashes;
  const present = SECTION_NAMES.filter((name) => input.sections[name] !== undefined);
  const collectedAt = new Date(input.collectedAt);
  const db = prisma();

  return db.$transaction(async (tx) => {
    const inserted = await tx.report.createMany({
      data: [
        {
          hostId,
          idempotencyKey: input.idempotencyKey,
          sequence: BigInt(input.sequence),
          collectedAt,
          receivedAt: now,
          sectionsChanged: [],
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) {
      await tx.host.update({ where: { id: hostId }, data: { lastSeenAt: now } });
      return { stored: false, duplicate: true, sectionsChanged: [] };
    }

    const changed: SectionName[] = [];
    if (present.length > 0) {
      const existing = await tx.hostSection.findMany({
        where: { hostId, section: { in: present } },
        select: { section: true, hash: true, ok: true },
      });
      const known = new Map(existing.map((e) => [e.section, e]));
      for (const name of present) {
        const section = input.sections[name];
        const hash = serverHashes.get(name);
        if (!section || !hash) continue;
        const before = known.get(name);
        const data = section.data === null ? Prisma.JsonNull : (section.data as Prisma.InputJsonValue);
        const row = {
          hash,
          ok: section.ok,
          available: section.available,
          error: section.error ?? null,
          durationMs: section.durationMs,
          data,
          collectedAt,
        };
        if (before && before.hash === hash && before.ok === section.ok) {
          // Same identity (only volatile counters moved): refresh the latest values, no history row.
          await tx.hostSection.update({ where: { hostId_section: { hostId, section: name } }, data: { data, durationMs: section.durationMs, collectedAt } });
          continue;
        }
        await tx.hostSection.upsert({
          where: { hostId_section: { hostId, section: name } },
          create: { hostId, section: name, ...row },
          update: row,
        });
        if (!before || before.hash !== hash) {
          await tx.hostSectionHistory.create({ data: { hostId, section: name, hash, data, changedAt: collectedAt } });
          changed.push(name);
        }
      }
      if (changed.length > 0) {
        await tx.report.updateMany({
          where: { hostId, idempotencyKey: input.idempotencyKey },
          data: { sectionsChanged: changed },
        });
      }
    }

    const summary = hostSummaryFromSections(input.sections);
    await tx.host.update({
      where: { id: hostId },
      data: {
        lastSeenAt: now,
        agentVersion: input.agentVersion,
        hostname: input.hostname,
        ...summary,
        ...(input.heartbeat?.spoolDropped !== undefined ? { agentSpoolDropped: BigInt(input.heartbeat.spoolDropped) } : {}),
        ...(input.heartbeat?.rejected !== undefined ? { agentRejected: BigInt(input.heartbeat.rejected) } : {}),
        ...(input.heartbeat?.setAside !== undefined ? { agentSetAside: BigInt(input.heartbeat.setAside) } : {}),
      },
    });
    // Monotonic, as the heartbeat batch writes it (greatest): a late resend never moves it back.
    await tx.host.updateMany({ where: { id: hostId, lastSequence: { lt: BigInt(input.sequence) } }, data: { lastSequence: BigInt(input.sequence) } });

    if (input.latencyRuns.length > 0) await storeLatencyRunsTx(tx, hostId, input.latencyRuns, input.idempotencyKey);
    if (input.qosSamples.length > 0) {
      await tx.qosSample.createMany({
        data: input.qosSamples.map((s) => ({
          hostId,
          at: new Date(s.at),
          group: s.group,
          domain: s.domain,
          llcOccupancyBytes: s.llcOccupancyBytes === null ? null : BigInt(s.llcOccupancyBytes),
          mbmTotalBytes: s.mbmTotalBytes === null ? null : BigInt(s.mbmTotalBytes),
          mbmLocalBytes: s.mbmLocalBytes === null ? null : BigInt(s.mbmLocalBytes),
        })),
      });
    }
    return { stored: true, duplicate: false, sectionsChanged: changed };
  });
}
