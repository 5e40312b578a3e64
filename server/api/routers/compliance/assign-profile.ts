import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { profileIdInput } from "@/server/api/routers/compliance/io-schemas";
import { userActor } from "@/server/repo/audit";
import { assignProfile as assignProfileRepo, assignTargetSchema } from "@/server/repo/compliance";

/** Assign a profile to a host or a label (null profileId removes the assignment). Precedence: host > label > default. */
export const assignProfile = adminProcedure
  .input(z.object({ target: assignTargetSchema, profileId: profileIdInput.nullable() }).strict())
  .output(z.object({ reevaluated: z.number().int() }))
  .mutation(({ ctx, input }) => assignProfileRepo({ target: input.target, profileId: input.profileId, actor: userActor(ctx.user) }));
