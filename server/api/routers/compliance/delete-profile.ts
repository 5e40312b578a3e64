import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { profileIdInput } from "@/server/api/routers/compliance/io-schemas";
import { userActor } from "@/server/repo/audit";
import { deleteProfile as deleteProfileRepo } from "@/server/repo/compliance";

export const deleteProfile = adminProcedure
  .input(z.object({ id: profileIdInput }).strict())
  .output(z.object({ reevaluated: z.number().int() }))
  .mutation(({ ctx, input }) => deleteProfileRepo({ id: input.id, actor: userActor(ctx.user) }));
