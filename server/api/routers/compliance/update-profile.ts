import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { profileIdInput } from "@/server/contract/api/compliance";
import { profileEditSchema } from "@/server/domain/compliance/profile";
import { userActor } from "@/server/repo/audit";
import { updateProfile as updateProfileService } from "@/server/services/compliance/update-profile";

/** Edit a custom profile: switch rules off, change severities and params. Re-evaluates its hosts. */
export const updateProfile = adminProcedure
  .input(z.object({ id: profileIdInput, edit: profileEditSchema }).strict())
  .output(z.object({ id: z.string(), reevaluated: z.number().int() }))
  .mutation(({ ctx, input }) => updateProfileService({ id: input.id, edit: input.edit, actor: userActor(ctx.user) }));
