import { z } from "zod";
import { FLEET_COMPLIANCE_FILTERS } from "@/server/domain/hosts/fleet-compliance";
import { FLEET_PAGE_SIZE, FLEET_SORT_KEYS } from "@/server/domain/hosts/fleet";
import { HOST_STATUSES } from "@/server/domain/hosts/status";
import { RULE_SECTIONS, ruleStatusSchema } from "@/server/domain/compliance/types";

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

/** One row of the fleet overview: what the list shows, nothing more (the one declaration; FleetHost is its type). */
export const fleetHostSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  status: z.enum(HOST_STATUSES),
  lastSeenAt: z.date().nullable(),
  cpuModel: z.string().nullable(),
  cpuVendor: z.string().nullable(),
  sockets: z.number().int().nullable(),
  numaNodes: z.number().int().nullable(),
  cpus: z.number().int().nullable(),
  kernelRelease: z.string().nullable(),
  isVirtual: z.boolean().nullable(),
  agentVersion: z.string().nullable(),
  labels: z.array(z.string()),
  /** the stored compliance result; null while the host has never been evaluated */
  compliance: z
    .object({
      score: z.number(),
      pass: z.number().int(),
      fail: z.number().int(),
      warn: z.number().int(),
      na: z.number().int(),
      sections: z.partialRecord(z.enum(RULE_SECTIONS), ruleStatusSchema),
    })
    .nullable(),
});
export type FleetHost = z.infer<typeof fleetHostSchema>;
