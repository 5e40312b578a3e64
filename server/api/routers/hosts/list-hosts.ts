import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { HOST_STATUSES } from "@/server/domain/hosts/status";
import { RULE_SECTIONS, ruleStatusSchema } from "@/server/domain/compliance/types";
import { listFleetHosts } from "@/server/repo/hosts";

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

/** Every host for the fleet overview; filtering and sorting happen in the browser (≤ a few thousand rows). */
export const listHosts = viewerProcedure
  .input(z.void())
  .output(z.object({ generatedAt: z.date(), hosts: z.array(fleetHostSchema) }))
  .query(async () => {
    const generatedAt = new Date();
    return { generatedAt, hosts: await listFleetHosts(generatedAt) };
  });
