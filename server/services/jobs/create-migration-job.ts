import path from "node:path";
import { migrateParamsSchema } from "@/server/contract/migration";
import type { CreateMigrationInput } from "@/server/contract/job";
import { vmsSection } from "@/server/contract/sections/vms";
import { DomainError } from "@/server/errors";
import { findHostVmsSection, insertJob } from "@/server/repo/jobs";
import { systemClock, type Clock } from "@/server/services/jobs/clock";

/**
 * An operator asks a host's agent to live-migrate one VM. The VM is picked from the host's `vms`
 * section (its QMP socket comes from there, never from the browser) or, when the host reports no
 * `vms` section, given as a socket path. The job is inserted pending; the NOTIFY in the same
 * transaction wakes the agent's long-poll.
 */
export async function createMigrationJob(
  requester: { id: string },
  input: CreateMigrationInput,
  clock: Clock = systemClock,
): Promise<{ id: string; state: "pending" | "claimed" | "running" | "succeeded" | "failed" | "cancelled"; created: boolean }> {
  const section = await findHostVmsSection(input.hostId);
  if (!section.exists) throw new DomainError("NOT_FOUND", "no such host");
  const vms = section.data === null ? null : vmsSection.safeParse(section.data);
  let qmpSocket: string;
  let target: string;
  if (input.vm.by === "pid") {
    if (!vms?.success) throw new DomainError("INVALID", "vm: this host reports no VMs section; give the QMP socket path instead");
    const pid = input.vm.pid;
    const vm = vms.data.vms.find((v) => v.pid === pid);
    if (!vm) throw new DomainError("INVALID", `vm: no QEMU process with pid ${pid} on this host`);
    const qmp = vm.monitors.find((m) => m.protocol === "qmp" && m.transport === "unix");
    if (!qmp) throw new DomainError("INVALID", `vm: ${vm.name ?? `pid ${pid}`} has no QMP unix socket the agent can use`);
    qmpSocket = qmp.address;
    target = vm.name ?? `pid ${pid}`;
  } else {
    if (vms?.success && vms.data.vms.length > 0) {
      const known = vms.data.vms.some((v) => v.monitors.some((m) => m.protocol === "qmp" && m.address === (input.vm.by === "socket" ? input.vm.qmpSocket : "")));
      if (!known) throw new DomainError("INVALID", "vm: this host reports its VMs; pick one of them (the socket path is not one of their QMP sockets)");
    }
    qmpSocket = input.vm.qmpSocket;
    target = input.vm.name ?? path.basename(input.vm.qmpSocket);
  }
  const params = migrateParamsSchema.parse({
    qmpSocket,
    uri: input.uri,
    destQmpSocket: input.destQmpSocket,
    downtimeLimitMs: input.downtimeLimitMs,
    maxBandwidthBytesPerS: input.maxBandwidthBytesPerS,
    capabilities: input.capabilities,
    onNoConvergence: input.onNoConvergence,
    timeoutS: input.timeoutS,
  });
  return insertJob({
    kind: "migrate",
    hostId: input.hostId,
    params,
    target,
    requestedById: requester.id,
    idempotencyKey: input.idempotencyKey,
    now: clock(),
    auditDetails: { vm: target, uri: params.uri, downtimeLimitMs: params.downtimeLimitMs, maxBandwidthBytesPerS: params.maxBandwidthBytesPerS, policy: params.onNoConvergence },
  });
}
