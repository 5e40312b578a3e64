/**
 * A VNF's Cache QoS page (qos.getVnfQos) and a mask proposal for its class (qos.proposeVnfMask): inputs
 * and outputs, declared once. The service types are z.infer of these.
 */
import { z } from "zod";
import { resctrlSection, resctrlVnfGroup } from "@/server/contract/sections/resctrl";
import { noisyNeighbourEvent } from "@/server/contract/api/noisy-neighbour";
import { createJobOutput } from "@/server/contract/job";
import { QOS_WINDOWS } from "@/server/domain/qos/qos-series";

const uuid = z.string().uuid();

export const qosPointSchema = z.object({ t: z.number(), occupancyBytes: z.number().nullable(), mbmTotalBps: z.number().nullable(), mbmLocalBps: z.number().nullable() });

export const qosSeriesSchema = z.object({
  group: z.string(),
  domain: z.string(),
  readings: z.number(),
  points: z.array(qosPointSchema),
  resets: z.object({ total: z.number(), local: z.number() }),
  resetTimes: z.array(z.number()),
});

export const classMaskSchema = z.object({
  vnfClass: z.string(),
  mode: z.string().nullable(),
  ways: z.number().int(),
  cbmMask: z.string().nullable(),
  minCbmBits: z.number().nullable(),
  shareableBits: z.string().nullable(),
  cdp: z.boolean(),
  rows: z.array(z.object({ resource: z.string(), domain: z.number().int(), mask: z.string(), bits: z.number().int() })),
});

export const getVnfQosInput = z.object({ vnfId: uuid, window: z.enum(QOS_WINDOWS).default("24h") }).strict();
export type GetVnfQosInput = z.infer<typeof getVnfQosInput>;

export const getVnfQosOutput = z.object({
  vnf: z.object({ id: uuid, name: z.string(), cacheWays: z.number().int().nullable() }),
  window: z.object({ from: z.date(), to: z.date(), label: z.string() }),
  /** where the VNF is placed; null = not placed (nothing to read) */
  host: z.object({ id: uuid, hostname: z.string() }).nullable(),
  resctrl: z.discriminatedUnion("status", [
    z.object({ status: z.literal("available"), section: resctrlSection, collectedAt: z.date().nullable() }),
    z.object({ status: z.literal("not-available"), reason: z.string(), collectedAt: z.date().nullable() }),
  ]),
  /** the agent's monitoring group for this VNF (null: the agent does not list one) */
  group: resctrlVnfGroup.nullable(),
  /** its class of service ("/" = the default class) and that class's L3 masks */
  classMask: classMaskSchema.nullable(),
  /** occupancy / bandwidth per L3 domain of the VNF's group */
  series: z.array(qosSeriesSchema),
  /** noisy-neighbour events on the host (CMT/MBM and cyclictest latency) this VNF took part in */
  noisyNeighbours: z.array(z.object({ role: z.enum(["aggressor", "victim"]), event: noisyNeighbourEvent })),
  /** cyclictest runs of the host in the window that fed the detector */
  latencyRuns: z.number().int(),
});
export type VnfQos = z.infer<typeof getVnfQosOutput>;

export const vnfMaskFindingSchema = z.object({ severity: z.enum(["error", "warning"]), message: z.string() });

export const proposeVnfMaskInput = z
  .object({
    vnfId: uuid,
    /** the capacity bitmask for the VNF's class, hex */
    mask: z.string().trim().regex(/^(0x)?[0-9a-fA-F]{1,16}$/, "a hex capacity bitmask like 7f0"),
    /** plan first (changes nothing); apply after the plan was reviewed */
    mode: z.enum(["plan", "apply"]),
    idempotencyKey: z.string().min(8).max(128).regex(/^[A-Za-z0-9._:-]+$/, { message: "letters, digits, . _ : - only" }),
  })
  .strict();
export type ProposeVnfMaskInput = z.infer<typeof proposeVnfMaskInput>;

export const proposeVnfMaskOutput = z.object({
  job: createJobOutput,
  hostId: uuid,
  vnfClass: z.string(),
  findings: z.array(vnfMaskFindingSchema),
});
export type ProposeVnfMaskOutput = z.infer<typeof proposeVnfMaskOutput>;
