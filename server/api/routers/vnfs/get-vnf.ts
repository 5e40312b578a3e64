import { viewerProcedure } from "@/server/api/trpc";
import { vnfIdInput, vnfSchema } from "@/server/contract/vnf";
import { getVnf as get } from "@/server/services/placement/get-vnf";

export const getVnf = viewerProcedure
  .input(vnfIdInput)
  .output(vnfSchema)
  .query(({ input }) => get(input.id));
