/**
 * Cache QoS reads: a host's latest resctrl section and its CMT/MBM readings over a window, shaped
 * into bounded chart series by server/domain/qos.
 */
import { prisma } from "@/server/db";
import { DomainError } from "@/server/errors";
import { resctrlSection } from "@/server/contract/sections/resctrl";
import { qosAvailability, type QosAvailability } from "@/server/domain/qos/availability";
import { buildQosSeries, qosWindowRange, type QosSeries, type QosWindow } from "@/server/domain/qos/qos-series";
import { detectNoisyNeighbours, type NoisyNeighbourEvent } from "@/server/domain/qos/noisy-neighbour";

/** Readings beyond this in one window are not read (7 d × 1/min × 64 group-domains ≈ 645k; the lab sends far fewer). */
export const MAX_QOS_ROWS = 200_000;

export interface HostQos {
  hostId: string;
  hostname: string;
  isVirtual: boolean | null;
  window: { from: Date; to: Date; label: string };
  resctrl: QosAvailability & { collectedAt: Date | null };
  series: QosSeries[];
  readings: number;
  /** counter resets over all series in the window (total + local) */
  resets: number;
  /** noisy-neighbour events in the window (server/domain/qos/noisy-neighbour.ts), oldest first */
  noisyNeighbours: NoisyNeighbourEvent[];
}

export async function getHostQos(hostId: string, window: QosWindow, now: Date = new Date()): Promise<HostQos> {
  const db = prisma();
  const host = await db.host.findUnique({
    where: { id: hostId },
    select: {
      id: true,
      hostname: true,
      isVirtual: true,
      sections: { where: { section: "resctrl" }, select: { ok: true, available: true, error: true, data: true, collectedAt: true } },
    },
  });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const range = qosWindowRange(window, now);
  const rows = await db.qosSample.findMany({
    where: { hostId, at: { gte: range.from, lte: range.to } },
    select: { at: true, group: true, domain: true, llcOccupancyBytes: true, mbmTotalBytes: true, mbmLocalBytes: true },
    orderBy: { at: "asc" },
    take: MAX_QOS_ROWS,
  });
  const stored = host.sections[0] ?? null;
  // stored JSON was validated at ingest; re-parse so an older shape degrades to "no data", never a crash
  const parsed = stored?.data ? resctrlSection.safeParse(stored.data) : null;
  const availability = qosAvailability(
    stored ? { ok: stored.ok, available: stored.available, error: stored.error, data: parsed?.success ? parsed.data : null } : null,
    host.isVirtual,
  );
  const readings = rows.map((r) => ({ atMs: r.at.getTime(), group: r.group, domain: r.domain, llcOccupancyBytes: r.llcOccupancyBytes, mbmTotalBytes: r.mbmTotalBytes, mbmLocalBytes: r.mbmLocalBytes }));
  const series = buildQosSeries(readings);
  return {
    hostId: host.id,
    hostname: host.hostname,
    isVirtual: host.isVirtual,
    window: range,
    resctrl: { ...availability, collectedAt: stored?.collectedAt ?? null },
    series,
    readings: rows.length,
    resets: series.reduce((n, s) => n + s.resets.total + s.resets.local, 0),
    noisyNeighbours: detectNoisyNeighbours(readings),
  };
}
