import { z } from "zod";

const windowValues = z.object({ occupancyBytes: z.number().nullable(), mbmTotalBps: z.number().nullable() }).strict();

/** A flagged noisy neighbour (server/domain/qos/noisy-neighbour.ts): who jumped, who lost, when, by how much. */
export const noisyNeighbourEvent = z
  .object({
    domain: z.string(),
    aggressor: z.string(),
    /** null: the victim is the host's measured latency */
    victim: z.string().nullable(),
    fromMs: z.number(),
    toMs: z.number(),
    jumped: z.array(z.enum(["bandwidth", "occupancy"])),
    aggressorBefore: windowValues,
    aggressorAfter: windowValues,
    victimOccupancyBefore: z.number().nullable(),
    victimOccupancyAfter: z.number().nullable(),
    latencyBeforeUs: z.number().nullable(),
    latencyAfterUs: z.number().nullable(),
  })
  .strict();
