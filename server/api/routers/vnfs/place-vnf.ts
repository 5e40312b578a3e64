import { operatorProcedure } from "@/server/api/trpc";
import { placeVnfInput, placeVnfOutput } from "@/server/contract/vnf";
import { placeVnf as place } from "@/server/services/placement/place-vnf";

export const placeVnf = operatorProcedure
  .input(placeVnfInput)
  .output(placeVnfOutput)
  .mutation(({ ctx, input }) => place(ctx.user, input));
