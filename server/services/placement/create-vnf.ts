import type { SessionUser } from "@/server/auth/session-user";
import type { CreateVnfInput, VnfJson } from "@/server/contract/vnf";
import { userActor } from "@/server/repo/audit";
import { insertVnf } from "@/server/repo/vnfs";
import { vnfJson } from "@/server/services/placement/vnf-json";

/** Defines a VNF (audited). Its owner defaults to the signed-in user. */
export async function createVnf(user: SessionUser, input: CreateVnfInput): Promise<VnfJson> {
  const owner = input.owner === "" ? user.email : input.owner;
  return vnfJson(await insertVnf({ ...input, owner }, userActor(user)));
}
