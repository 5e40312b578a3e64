import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { assignTargetSchema, profileIdInput, reevaluatedSchema } from "@/server/contract/api/compliance";
import { userActor } from "@/server/repo/audit";
import { assignProfile as assignProfileService } from "@/server/services/compliance/assign-profile";

/** Assign a profile to a host or a label (null profileId removes the assignment). Precedence: host > label > default. */
export const assignProfile = adminProcedure
  .input(z.object({ target: assignTargetSchema, profileId: profileIdInput.nullable() }).strict())
  .output(reevaluatedSchema)
  .mutation(({ ctx, input }) => assignProfileService({ target: input.target, profileId: input.profileId, actor: userActor(ctx.user) }));
