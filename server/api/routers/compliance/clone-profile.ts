import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { profileIdInput } from "@/server/contract/api/compliance";
import { profileNameSchema } from "@/server/domain/compliance/profile";
import { userActor } from "@/server/repo/audit";
import { cloneProfile as cloneProfileService } from "@/server/services/compliance/clone-profile";

/** Copy a profile (e.g. the built-in kvm4nfv-host) into an editable one. */
export const cloneProfile = adminProcedure
  .input(z.object({ sourceId: profileIdInput, name: profileNameSchema }).strict())
  .output(z.object({ id: z.string() }))
  .mutation(({ ctx, input }) => cloneProfileService({ sourceId: input.sourceId, name: input.name, actor: userActor(ctx.user) }));
