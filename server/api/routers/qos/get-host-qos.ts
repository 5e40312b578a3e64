import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { resctrlSection } from "@/server/contract/sections/resctrl";
import { QOS_WINDOWS } from "@/server/domain/qos/qos-series";
import { getHostQos as getHostQosRepo } from "@/server/repo/qos";
import { noisyNeighbourEvent } from "@/server/contract/api/noisy-neighbour";

const qosPoint = z.object({ t: z.number(), occupancyBytes: z.number().nullable(), mbmTotalBps: z.number().nullable(), mbmLocalBps: z.number().nullable() });

/** A host's Intel RDT view: the latest resctrl section (CAT) and CMT/MBM series over a window. */
export const getHostQos = viewerProcedure
  .input(z.object({ hostId: z.string().uuid(), window: z.enum(QOS_WINDOWS).default("24h") }).strict())
  .output(
    z.object({
      hostId: z.string(),
      hostname: z.string(),
      isVirtual: z.boolean().nullable(),
      window: z.object({ from: z.date(), to: z.date(), label: z.string() }),
      resctrl: z.discriminatedUnion("status", [
        z.object({ status: z.literal("available"), section: resctrlSection, collectedAt: z.date().nullable() }),
        z.object({ status: z.literal("not-available"), reason: z.string(), collectedAt: z.date().nullable() }),
      ]),
      series: z.array(
        z.object({
          group: z.string(),
          domain: z.string(),
          readings: z.number(),
          points: z.array(qosPoint),
          resets: z.object({ total: z.number(), local: z.number() }),
          resetTimes: z.array(z.number()),
        }),
      ),
      readings: z.number(),
      resets: z.number(),
      noisyNeighbours: z.array(noisyNeighbourEvent),
    }),
  )
  .query(({ input }) => getHostQosRepo(input.hostId, input.window));
