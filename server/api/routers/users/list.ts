import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { userRowSchema } from "@/server/auth/user-input";
import { listUsers } from "@/server/repo/users";

export const list = adminProcedure
  .input(z.void())
  .output(z.array(userRowSchema))
  .query(() => listUsers());
