import { z } from "zod";
import { viewerProcedure } from "@/server/api/trpc";
import { fleetHostSchema } from "@/server/contract/api/fleet";
import { topologySection } from "@/server/contract/sections/topology";
import { kernelSection } from "@/server/contract/sections/kernel";
import { irqSection } from "@/server/contract/sections/irq";
import { hugepagesSection } from "@/server/contract/sections/hugepages";
import { powerSection } from "@/server/contract/sections/power";
import { biosSection } from "@/server/contract/sections/bios";
import { kvmSection } from "@/server/contract/sections/kvm";
import { getHostOverview } from "@/server/repo/hosts";

function sectionViewSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion("state", [
    z.object({ state: z.literal("missing"), data: z.null(), error: z.null(), collectedAt: z.null() }),
    z.object({ state: z.enum(["unavailable", "error", "invalid"]), data: z.null(), error: z.string().nullable(), collectedAt: z.date() }),
    z.object({ state: z.literal("ok"), data, error: z.null(), collectedAt: z.date() }),
  ]);
}

/** A host's header plus the topology, kernel, irq, hugepages, power, bios and kvm sections of its latest report. */
export const getHost = viewerProcedure
  .input(z.object({ id: z.string().uuid() }).strict())
  .output(
    z.object({
      generatedAt: z.date(),
      host: fleetHostSchema.omit({ compliance: true }).extend({ heartbeatSeconds: z.number().int(), enrolledAt: z.date() }),
      topology: sectionViewSchema(topologySection),
      kernel: sectionViewSchema(kernelSection),
      irq: sectionViewSchema(irqSection),
      hugepages: sectionViewSchema(hugepagesSection),
      power: sectionViewSchema(powerSection),
      bios: sectionViewSchema(biosSection),
      kvm: sectionViewSchema(kvmSection),
    }),
  )
  .query(async ({ input }) => {
    const generatedAt = new Date();
    return { generatedAt, ...(await getHostOverview(input.id, generatedAt)) };
  });
