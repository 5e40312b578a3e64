import { z } from "zod";
import { ruleSectionSchema } from "@/server/domain/compliance/types";

/** The fleet compliance filter (URL search params, the matrix page and the CSV export share it). */
export const fleetFilterSchema = z
  .object({
    /** only hosts whose worst status in this rule section is `status` (default fail) */
    section: ruleSectionSchema.optional(),
    status: z.enum(["fail", "warn", "pass", "na"]).optional(),
    profileId: z.string().max(100).optional(),
    /** hostname substring */
    search: z.string().max(100).optional(),
  })
  .strict();
export type FleetFilter = z.infer<typeof fleetFilterSchema>;

/** Parse page search params leniently: an unknown value is dropped rather than an error page. */
export function fleetFilterFromSearch(params: Record<string, string | string[] | undefined>): FleetFilter {
  const one = (k: string) => {
    const v = params[k];
    const s = Array.isArray(v) ? v[0] : v;
    return s === undefined || s === "" ? undefined : s;
  };
  const out: FleetFilter = {};
  const section = ruleSectionSchema.safeParse(one("section"));
  if (section.success) out.section = section.data;
  const status = fleetFilterSchema.shape.status.safeParse(one("status"));
  if (status.success && status.data) out.status = status.data;
  const profile = one("profile");
  if (profile && profile.length <= 100) out.profileId = profile;
  const q = one("q");
  if (q) out.search = q.slice(0, 100);
  return out;
}
