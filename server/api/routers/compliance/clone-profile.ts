import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { profileIdInput } from "@/server/api/routers/compliance/io-schemas";
import { profileNameSchema } from "@/server/domain/compliance/profile";
import { userActor } from "@/server/repo/audit";
import { cloneProfile as cloneProfileRepo } from "@/server/repo/compliance";

/** Copy a profile (e.g. the built-in kvm4nfv-host) into an editable one. */
export const cloneProfile = adminProcedure
  .input(z.object({ sourceId: profileIdInput, name: profileNameSchema }).strict())
  .output(z.object({ id: z.string() }))
  .mutation(({ ctx, input }) => cloneProfileRepo({ sourceId: input.sourceId, name: input.name, actor: userActor(ctx.user) }));
