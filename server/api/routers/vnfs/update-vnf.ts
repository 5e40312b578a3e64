import { operatorProcedure } from "@/server/api/trpc";
import { updateVnfInput, vnfSchema } from "@/server/contract/vnf";
import { updateVnf as update } from "@/server/services/placement/update-vnf";

export const updateVnf = operatorProcedure
  .input(updateVnfInput)
  .output(vnfSchema)
  .mutation(({ ctx, input }) => update(ctx.user, input));
