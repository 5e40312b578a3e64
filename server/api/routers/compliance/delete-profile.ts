import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { profileIdInput, reevaluatedSchema } from "@/server/contract/api/compliance";
import { userActor } from "@/server/repo/audit";
import { deleteProfile as deleteProfileService } from "@/server/services/compliance/delete-profile";

export const deleteProfile = adminProcedure
  .input(z.object({ id: profileIdInput }).strict())
  .output(reevaluatedSchema)
  .mutation(({ ctx, input }) => deleteProfileService({ id: input.id, actor: userActor(ctx.user) }));
