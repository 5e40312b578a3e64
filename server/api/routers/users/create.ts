import { adminProcedure } from "@/server/api/trpc";
import { createUserInput, userRowSchema } from "@/server/auth/user-input";
import { userActor } from "@/server/repo/audit";
import { createUser } from "@/server/repo/users";

export const create = adminProcedure
  .input(createUserInput)
  .output(userRowSchema)
  .mutation(({ ctx, input }) => createUser({ ...input, actor: userActor(ctx.user) }));
