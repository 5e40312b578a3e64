import { z } from "zod";
import { publicProcedure } from "@/server/api/trpc";
import { meOutput } from "@/server/auth/user-input";

/** Who is signed in (null when anonymous). The user was resolved once, in the context. */
export const me = publicProcedure
  .input(z.void())
  .output(meOutput)
  .query(({ ctx }) => ctx.user);
