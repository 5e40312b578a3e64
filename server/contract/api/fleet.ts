import { z } from "zod";
import { FLEET_COMPLIANCE_FILTERS } from "@/server/domain/hosts/fleet-compliance";
import { FLEET_PAGE_SIZE, FLEET_SORT_KEYS } from "@/server/domain/hosts/fleet";
import { HOST_STATUSES } from "@/server/domain/hosts/status";

/** One page of the fleet table: filter, search and sort run on the server, over every host. */
export const fleetPageInput = z
  .object({
    q: z.string().max(200),
    status: z.enum([...HOST_STATUSES, "all"]),
    compliance: z.enum(FLEET_COMPLIANCE_FILTERS),
    sort: z.enum(FLEET_SORT_KEYS),
    dir: z.enum(["asc", "desc"]),
    /** 1-based; past the last page gives the last page */
    page: z.number().int().min(1).max(1_000_000),
    pageSize: z.number().int().min(1).max(500).default(FLEET_PAGE_SIZE),
  })
  .strict();
export type FleetPageInput = z.infer<typeof fleetPageInput>;

export const fleetStatusCountsSchema = z.object({
  all: z.number().int(),
  online: z.number().int(),
  stale: z.number().int(),
  offline: z.number().int(),
});
