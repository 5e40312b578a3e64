import type { VnfJson } from "@/server/contract/vnf";
import { listVnfs as listRows } from "@/server/repo/vnfs";
import { vnfJson } from "@/server/services/placement/vnf-json";

export async function listVnfs(): Promise<VnfJson[]> {
  return (await listRows()).map(vnfJson);
}
