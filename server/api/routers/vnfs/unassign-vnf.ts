import { operatorProcedure } from "@/server/api/trpc";
import { unassignVnfInput, unassignVnfOutput } from "@/server/contract/vnf";
import { unassignVnf as unassign } from "@/server/services/placement/unassign-vnf";

export const unassignVnf = operatorProcedure
  .input(unassignVnfInput)
  .output(unassignVnfOutput)
  .mutation(({ ctx, input }) => unassign(ctx.user, input.vnfId));
