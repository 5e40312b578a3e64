import { operatorProcedure } from "@/server/api/trpc";
import { createVnfInput, vnfSchema } from "@/server/contract/vnf";
import { createVnf as create } from "@/server/services/placement/create-vnf";

export const createVnf = operatorProcedure
  .input(createVnfInput)
  .output(vnfSchema)
  .mutation(({ ctx, input }) => create(ctx.user, input));
