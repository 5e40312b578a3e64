/**
 * An operator proposes a CAT mask for a VNF's class of service: the mask is validated again here against
 * the host's latest resctrl section (server/domain/qos/vnf-mask.ts: cbm_mask, min_cbm_bits, contiguity,
 * exclusive classes), and only a valid one becomes a `tune.cat` job (plan first, apply after review;
 * the agent checks the live tree once more before it writes).
 */
import type { ProposeVnfMaskInput, ProposeVnfMaskOutput } from "@/server/contract/api/vnf-qos";
import { DomainError } from "@/server/errors";
import { validateVnfMask } from "@/server/domain/qos/vnf-mask";
import { classOfGroupPath, vnfGroupOf } from "@/server/domain/qos/vnf-qos";
import { parseHexMask } from "@/server/domain/tuning/cat-mask";
import { findHostsMonitoringVnf, readHostResctrl } from "@/server/repo/qos";
import { findVnf } from "@/server/repo/vnfs";
import { createTuneJob } from "@/server/services/tuning/create-tune-job";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

export async function proposeVnfMask(requester: { id: string }, input: ProposeVnfMaskInput, clock: Clock = systemClock): Promise<ProposeVnfMaskOutput> {
  const vnf = await findVnf(input.vnfId);
  if (!vnf) throw new DomainError("NOT_FOUND", "no such VNF");
  const hostId = vnf.placement?.hostId ?? (await findHostsMonitoringVnf(vnf.name))[0] ?? null;
  if (hostId === null) throw new DomainError("INVALID", `VNF ${vnf.name} is not placed, and no host's agent monitors a VM of this name`);
  const host = await readHostResctrl(hostId);
  if (host.resctrl.status !== "available") throw new DomainError("INVALID", `no cache allocation on ${host.hostname}: ${host.resctrl.reason}`);
  const section = host.resctrl.section;
  const group = vnfGroupOf(section, vnf.name);
  if (!group?.path) throw new DomainError("INVALID", `the agent on ${host.hostname} does not monitor VNF ${vnf.name} (no resctrl group)`);
  const vnfClass = classOfGroupPath(group.path);
  if (vnfClass === "/") throw new DomainError("INVALID", `VNF ${vnf.name} runs in the default class: a mask there would change every task's cache; give it a class of its own first`);
  const findings = validateVnfMask(section, vnfClass, input.mask);
  const errors = findings.filter((f) => f.severity === "error");
  if (errors.length > 0) throw new DomainError("INVALID", `mask ${input.mask} refused: ${errors.map((f) => f.message).join("; ")}`, { findings });
  const mask = (parseHexMask(input.mask) ?? 0n).toString(16);
  const job = await createTuneJob(
    requester,
    { hostId: host.id, mode: input.mode, action: "tune.cat", params: { group: vnfClass, mask, resource: "L3" }, idempotencyKey: input.idempotencyKey },
    clock,
  );
  return { job, hostId: host.id, vnfClass, findings };
}
