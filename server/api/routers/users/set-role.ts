import { adminProcedure } from "@/server/api/trpc";
import { setRoleInput, userRowSchema } from "@/server/auth/user-input";
import { userActor } from "@/server/repo/audit";
import { setUserRole } from "@/server/repo/users";

export const setRole = adminProcedure
  .input(setRoleInput)
  .output(userRowSchema)
  .mutation(({ ctx, input }) => setUserRole({ ...input, actor: userActor(ctx.user) }));
