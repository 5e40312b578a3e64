import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { profileDetailSchema, profileIdInput } from "@/server/contract/api/compliance";
import { getProfile as getProfileService } from "@/server/services/compliance/get-profile";

/** A profile with its rule configuration and the catalogue rules it can use. */
export const getProfile = viewerProcedure
  .input(z.object({ id: profileIdInput }).strict())
  .output(profileDetailSchema)
  .query(({ input }) => getProfileService({ id: input.id }));
