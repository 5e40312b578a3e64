import { vmsSection } from "@/server/contract/sections/vms";
import { DomainError } from "@/server/errors";
import { findHostVmsSection } from "@/server/repo/hosts";

/** The host's VMs as its agent reported them, each with the QMP unix socket a migration would use. */
export async function listHostVms(hostId: string) {
  const section = await findHostVmsSection(hostId);
  if (!section.exists) throw new DomainError("NOT_FOUND", "no such host");
  const parsed = section.data === null ? null : vmsSection.safeParse(section.data);
  if (!parsed?.success) return { sectionPresent: false, vms: [] };
  return {
    sectionPresent: true,
    vms: parsed.data.vms.map((v) => ({
      pid: v.pid,
      name: v.name,
      qmpSocket: v.monitors.find((m) => m.protocol === "qmp" && m.transport === "unix")?.address ?? null,
    })),
  };
}
