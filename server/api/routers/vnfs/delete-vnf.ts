import { z } from "zod";
import { operatorProcedure } from "@/server/api/trpc";
import { vnfIdInput } from "@/server/contract/vnf";
import { deleteVnf as remove } from "@/server/services/placement/delete-vnf";

export const deleteVnf = operatorProcedure
  .input(vnfIdInput)
  .output(z.object({ id: z.string(), freedCpus: z.array(z.number().int()) }))
  .mutation(({ ctx, input }) => remove(ctx.user, input.id));
