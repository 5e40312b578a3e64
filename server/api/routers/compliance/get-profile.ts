import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { catalogueRuleSchema, profileIdInput } from "@/server/api/routers/compliance/io-schemas";
import { ruleConfigSchema } from "@/server/domain/compliance/profile";
import { getProfile as getProfileRepo } from "@/server/repo/compliance";

/** A profile with its rule configuration and the catalogue rules it can use. */
export const getProfile = viewerProcedure
  .input(z.object({ id: profileIdInput }).strict())
  .output(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      builtIn: z.boolean(),
      kind: z.enum(["host", "guest"]),
      basedOnId: z.string().nullable(),
      rules: z.array(ruleConfigSchema),
      sloMaxUs: z.number().nullable(),
      sloP99999Us: z.number().nullable(),
      updatedAt: z.date(),
      labels: z.array(z.string()),
      hosts: z.array(z.object({ id: z.string(), hostname: z.string() })),
      catalogue: z.array(catalogueRuleSchema),
    }),
  )
  .query(({ input }) => getProfileRepo(input.id));
