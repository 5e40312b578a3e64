import { adminProcedure } from "@/server/api/trpc";
import { createdTokenSchema, createTokenInput } from "@/server/auth/user-input";
import { userActor } from "@/server/repo/audit";
import { createEnrollmentTokenAudited } from "@/server/repo/enrollment-admin";

/** The token is in this response only; the server keeps its hash. */
export const createToken = adminProcedure
  .input(createTokenInput)
  .output(createdTokenSchema)
  .mutation(({ ctx, input }) =>
    createEnrollmentTokenAudited({ ...input, actor: userActor(ctx.user), createdById: ctx.user.id }),
  );
