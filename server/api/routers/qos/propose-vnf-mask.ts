import { operatorProcedure } from "@/server/api/trpc";
import { proposeVnfMaskInput, proposeVnfMaskOutput } from "@/server/contract/api/vnf-qos";
import { proposeVnfMask as proposeVnfMaskService } from "@/server/services/qos/propose-vnf-mask";

/** A CAT mask for a VNF's class, validated again on the server, submitted as a tune.cat job. */
export const proposeVnfMask = operatorProcedure
  .input(proposeVnfMaskInput)
  .output(proposeVnfMaskOutput)
  .mutation(({ ctx, input }) => proposeVnfMaskService(ctx.user, input));
