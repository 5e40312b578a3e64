/**
 * A VNF's Cache QoS (its page): the monitoring group the agent keeps for it on the host it is placed on
 * (or, unplaced, the host whose agent reports a VM of its name),
 * occupancy and bandwidth per L3 domain over a window, its class's CAT mask, and the noisy-neighbour
 * events it took part in (the detector sees every group on the host and the host's cyclictest runs).
 */
import type { GetVnfQosInput, VnfQos } from "@/server/contract/api/vnf-qos";
import { DomainError } from "@/server/errors";
import { detectNoisyNeighbours } from "@/server/domain/qos/noisy-neighbour";
import { buildQosSeries, qosWindowRange } from "@/server/domain/qos/qos-series";
import { classMaskOf, classOfGroupPath, vnfGroupOf, vnfNoisyEvents, vnfSeriesPaths } from "@/server/domain/qos/vnf-qos";
import { findHostsMonitoringVnf, readDetectorInput, readHostResctrl } from "@/server/repo/qos";
import { findVnf } from "@/server/repo/vnfs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

export async function getVnfQos(input: GetVnfQosInput, clock: Clock = systemClock): Promise<VnfQos> {
  const row = await findVnf(input.vnfId);
  if (!row) throw new DomainError("NOT_FOUND", "no such VNF");
  const range = qosWindowRange(input.window, clock());
  const vnf = { id: row.id, name: row.name, cacheWays: row.cacheWays };
  const base = { vnf, window: range, group: null, classMask: null, series: [], noisyNeighbours: [], latencyRuns: 0 };
  // placed: its host; else a host whose agent monitors a QEMU process of this name (started outside the console)
  const hostId = row.placement?.hostId ?? (await findHostsMonitoringVnf(row.name))[0] ?? null;
  if (hostId === null) return { ...base, host: null, resctrl: { status: "not-available", reason: "The VNF is not placed, and no host's agent monitors a VM of this name.", collectedAt: null } };
  const host = await readHostResctrl(hostId);
  const hostRef = { id: host.id, hostname: host.hostname };
  if (host.resctrl.status !== "available") return { ...base, host: hostRef, resctrl: host.resctrl };
  const section = host.resctrl.section;
  const group = vnfGroupOf(section, row.name);
  const vnfClass = group?.path ? classOfGroupPath(group.path) : null;
  const { readings, latency, latencyRuns } = await readDetectorInput(host.id, range.from, range.to);
  const paths = new Set(vnfSeriesPaths(group, row.name));
  return {
    ...base,
    host: hostRef,
    resctrl: host.resctrl,
    group,
    classMask: vnfClass === null ? null : classMaskOf(section, vnfClass),
    series: buildQosSeries(readings.filter((r) => paths.has(r.group))),
    noisyNeighbours: vnfNoisyEvents(detectNoisyNeighbours(readings, latency), row.name),
    latencyRuns,
  };
}
