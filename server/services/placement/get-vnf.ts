import type { VnfJson } from "@/server/contract/vnf";
import { DomainError } from "@/server/errors";
import { findVnf } from "@/server/repo/vnfs";
import { vnfJson } from "@/server/services/placement/vnf-json";

export async function getVnf(id: string): Promise<VnfJson> {
  const row = await findVnf(id);
  if (!row) throw new DomainError("NOT_FOUND", "no such VNF");
  return vnfJson(row);
}
