import type { SessionUser } from "@/server/auth/session-user";
import type { UpdateVnfInput, VnfJson } from "@/server/contract/vnf";
import { DomainError } from "@/server/errors";
import { userActor } from "@/server/repo/audit";
import { findVnf, updateVnfRow } from "@/server/repo/vnfs";
import { vnfJson } from "@/server/services/placement/vnf-json";

/** What the allocator used: changing any of these would make a placement lie, so a placed VNF refuses them. */
const SHAPE_FIELDS = ["name", "vcpus", "memoryMib", "pageSize", "numaNode", "threadPolicy", "emulatorThreads", "cacheWays"] as const;

export async function updateVnf(user: SessionUser, input: UpdateVnfInput): Promise<VnfJson> {
  const { id, ...changes } = input;
  const current = await findVnf(id);
  if (!current) throw new DomainError("NOT_FOUND", "no such VNF");
  if (current.placement) {
    const shape = SHAPE_FIELDS.filter((f) => changes[f] !== undefined && changes[f] !== current[f]);
    if (shape.length > 0) {
      throw new DomainError("CONFLICT", `${shape.join(", ")}: ${current.name} is placed on ${current.placement.host.hostname}; unassign it before changing its shape`);
    }
  }
  const data = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return vnfJson(await updateVnfRow(id, data, userActor(user)));
}
