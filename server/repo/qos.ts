/**
 * Cache QoS reads: a host's latest resctrl section and its CMT/MBM readings over a window, shaped
 * into bounded chart series by server/domain/qos.
 */
import { prisma } from "@/server/db";
import { DomainError } from "@/server/errors";
import { resctrlSection } from "@/server/contract/sections/resctrl";
import { qosAvailability, type QosAvailability } from "@/server/domain/qos/availability";
import { buildQosSeries, qosWindowRange, type QosSeries, type QosWindow } from "@/server/domain/qos/qos-series";
import { DEFAULT_NOISY_NEIGHBOUR_OPTIONS, detectNoisyNeighbours, type NoisyNeighbourEvent } from "@/server/domain/qos/noisy-neighbour";
import { latencyPointsOfRuns, type LatencyRunSummary } from "@/server/domain/qos/latency-points";
import type { QosReadingRow } from "@/server/domain/qos/qos-series";

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

/** A host's stored resctrl section (null when it never sent one); throws NOT_FOUND for an unknown host. */
export async function readHostResctrl(hostId: string): Promise<{
  id: string;
  hostname: string;
  isVirtual: boolean | null;
  resctrl: QosAvailability & { collectedAt: Date | null };
}> {
  const host = await prisma().host.findUnique({
    where: { id: hostId },
    select: {
      id: true,
      hostname: true,
      isVirtual: true,
      sections: { where: { section: "resctrl" }, select: { ok: true, available: true, error: true, data: true, collectedAt: true } },
    },
  });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const stored = host.sections[0] ?? null;
  // stored JSON was validated at ingest; re-parse so an older shape degrades to "no data", never a crash
  const parsed = stored?.data ? resctrlSection.safeParse(stored.data) : null;
  const availability = qosAvailability(
    stored ? { ok: stored.ok, available: stored.available, error: stored.error, data: parsed?.success ? parsed.data : null } : null,
    host.isVirtual,
  );
  return { id: host.id, hostname: host.hostname, isVirtual: host.isVirtual, resctrl: { ...availability, collectedAt: stored?.collectedAt ?? null } };
}

/** A host's CMT/MBM readings in [from, to], oldest first (at most MAX_QOS_ROWS). */
export async function readQosReadings(hostId: string, from: Date, to: Date): Promise<QosReadingRow[]> {
  const rows = await prisma().qosSample.findMany({
    where: { hostId, at: { gte: from, lte: to } },
    select: { at: true, group: true, domain: true, llcOccupancyBytes: true, mbmTotalBytes: true, mbmLocalBytes: true },
    orderBy: { at: "asc" },
    take: MAX_QOS_ROWS,
  });
  return rows.map((r) => ({ atMs: r.at.getTime(), group: r.group, domain: r.domain, llcOccupancyBytes: r.llcOccupancyBytes, mbmTotalBytes: r.mbmTotalBytes, mbmLocalBytes: r.mbmLocalBytes }));
}

/** Runs beyond this in one window are not read for the detector (7 d of one run a minute ≈ 10k). */
export const MAX_LATENCY_POINTS = 20_000;

/** The host's cyclictest runs that started in [from, to] (start, length, max, unit), oldest first. */
export async function readLatencyRunSummaries(hostId: string, from: Date, to: Date): Promise<LatencyRunSummary[]> {
  return prisma().latencyRun.findMany({
    where: { hostId, startedAt: { gte: from, lte: to } },
    select: { startedAt: true, durationS: true, max: true, unit: true },
    orderBy: { startedAt: "asc" },
    take: MAX_LATENCY_POINTS,
  });
}

/** Readings and latency points for the detector over a window (latency from one lookback earlier). */
export async function readDetectorInput(hostId: string, from: Date, to: Date): Promise<{ readings: QosReadingRow[]; latency: ReturnType<typeof latencyPointsOfRuns>; latencyRuns: number }> {
  const [readings, runs] = await Promise.all([
    readQosReadings(hostId, from, to),
    readLatencyRunSummaries(hostId, new Date(from.getTime() - DEFAULT_NOISY_NEIGHBOUR_OPTIONS.latencyLookbackMs), to),
  ]);
  return { readings, latency: latencyPointsOfRuns(runs), latencyRuns: runs.filter((r) => r.startedAt >= from).length };
}

export async function getHostQos(hostId: string, window: QosWindow, now: Date = new Date()): Promise<HostQos> {
  const host = await readHostResctrl(hostId);
  const range = qosWindowRange(window, now);
  // noisy neighbours: a jump with a same-L3 victim, or with the host's cyclictest latency worsening
  const { readings, latency } = await readDetectorInput(hostId, range.from, range.to);
  const series = buildQosSeries(readings);
  return {
    hostId: host.id,
    hostname: host.hostname,
    isVirtual: host.isVirtual,
    window: range,
    resctrl: host.resctrl,
    series,
    readings: readings.length,
    resets: series.reduce((n, s) => n + s.resets.total + s.resets.local, 0),
    noisyNeighbours: detectNoisyNeighbours(readings, latency),
  };
}

/**
 * Hosts whose latest resctrl section lists a monitoring group for a VNF of this name (the agent monitors
 * every named QEMU process; the name links it to the VNF), most recently collected first.
 */
export async function findHostsMonitoringVnf(vnf: string): Promise<string[]> {
  const rows = await prisma().hostSection.findMany({
    where: { section: "resctrl", data: { path: ["vnfGroups"], array_contains: [{ vnf }] } },
    select: { hostId: true },
    orderBy: { collectedAt: "desc" },
    take: 10,
  });
  return rows.map((r) => r.hostId);
}
