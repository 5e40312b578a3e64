import { viewerProcedure } from "@/server/api/trpc";
import { vnfOutputsInput, vnfOutputsOutput } from "@/server/contract/vnf";
import { getVnfOutputs as get } from "@/server/services/placement/get-vnf-outputs";

export const getVnfOutputs = viewerProcedure
  .input(vnfOutputsInput)
  .output(vnfOutputsOutput)
  .query(({ input }) => get(input.vnfId));
