import path from "node:path";
import type { CreateMigrationInput } from "@/server/contract/job";
import { vmsSection } from "@/server/contract/sections/vms";
import { DomainError } from "@/server/errors";
import { findHostVmsSection } from "@/server/repo/hosts";

/**
 * The VM an operator picked for a migration or its prediction: by pid from the host's `vms` section (its
 * QMP socket comes from there, never from the browser) or, when the host reports no `vms` section, by a
 * socket path. Shared by createMigrationJob and createMigrationPredictionJob so both name the same VM.
 */
export async function resolveHostVm(hostId: string, vm: CreateMigrationInput["vm"]): Promise<{ qmpSocket: string; target: string }> {
  const section = await findHostVmsSection(hostId);
  if (!section.exists) throw new DomainError("NOT_FOUND", "no such host");
  const vms = section.data === null ? null : vmsSection.safeParse(section.data);
  if (vm.by === "pid") {
    if (!vms?.success) throw new DomainError("INVALID", "vm: this host reports no VMs section; give the QMP socket path instead");
    const pid = vm.pid;
    const found = vms.data.vms.find((v) => v.pid === pid);
    if (!found) throw new DomainError("INVALID", `vm: no QEMU process with pid ${pid} on this host`);
    const qmp = found.monitors.find((m) => m.protocol === "qmp" && m.transport === "unix");
    if (!qmp) throw new DomainError("INVALID", `vm: ${found.name ?? `pid ${pid}`} has no QMP unix socket the agent can use`);
    return { qmpSocket: qmp.address, target: found.name ?? `pid ${pid}` };
  }
  if (vms?.success && vms.data.vms.length > 0) {
    const known = vms.data.vms.some((v) => v.monitors.some((m) => m.protocol === "qmp" && m.address === vm.qmpSocket));
    if (!known) throw new DomainError("INVALID", "vm: this host reports its VMs; pick one of them (the socket path is not one of their QMP sockets)");
  }
  return { qmpSocket: vm.qmpSocket, target: vm.name ?? path.basename(vm.qmpSocket) };
}
