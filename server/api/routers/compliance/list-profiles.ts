import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { profileSummarySchema } from "@/server/contract/api/compliance";
import { listProfiles as listProfilesService } from "@/server/services/compliance/list-profiles";

export const listProfiles = viewerProcedure
  .input(z.object({}).strict().default({}))
  .output(z.array(profileSummarySchema))
  .query(() => listProfilesService());
