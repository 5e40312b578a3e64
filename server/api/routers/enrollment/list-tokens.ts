import { z } from "zod";
import { adminProcedure } from "@/server/api/trpc";
import { tokenRowSchema } from "@/server/auth/user-input";
import { listEnrollmentTokens } from "@/server/repo/enrollment";

export const listTokens = adminProcedure
  .input(z.void())
  .output(z.array(tokenRowSchema))
  .query(() => listEnrollmentTokens());
