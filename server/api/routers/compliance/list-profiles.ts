import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { profileSummarySchema } from "@/server/api/routers/compliance/io-schemas";
import { listProfiles as listProfilesRepo } from "@/server/repo/compliance";

export const listProfiles = viewerProcedure
  .input(z.object({}).strict().default({}))
  .output(z.array(profileSummarySchema))
  .query(() => listProfilesRepo());
