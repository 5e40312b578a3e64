import { z } from "zod";
import { recentTimestamp, shortText, storable } from "./common";
import { topologySection } from "./sections/topology";
import { kernelSection } from "./sections/kernel";
import { powerSection } from "./sections/power";
import { irqSection } from "./sections/irq";
import { hugepagesSection } from "./sections/hugepages";
import { biosSection } from "./sections/bios";
import { resctrlSection } from "./sections/resctrl";
import { kvmSection } from "./sections/kvm";
import { vmsSection } from "./sections/vms";
import { latencyRunSchema } from "./sections/latency";
import { agentLatencyScheduleSchema } from "./latency-schedule";
import { qosSampleSchema } from "./sections/qos";
import { acceptedOnce } from "./accepted-sections";

/** Static sections: stored as latest state per host + history on content change. */
export const SECTION_NAMES = ["topology", "kernel", "power", "irq", "hugepages", "bios", "resctrl", "kvm", "vms"] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/**
 * Every section is wrapped the same way: one failing collector never aborts a report.
 * `available: false` means the source does not exist on this host (a VM has no resctrl) — not an error.
 */
function envelopeOf<T extends z.ZodType>(data: T) {
  return z
    .object({
      ok: z.boolean(),
      available: z.boolean(),
      error: z.string().max(4000).optional(),
      durationMs: z.number().nonnegative().max(3_600_000),
      /** sha256 hex of the canonical JSON of `data` (computed by the agent; re-checked by the server). */
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      data,
    })
    .strict();
}

/** The nine sections, each one's data schema passed through `wrap` (the identity, or acceptedOnce). */
function sectionsObject(wrap: <T extends z.ZodType>(section: SectionName, schema: T) => T) {
  return z
    .object({
      topology: envelopeOf(wrap("topology", topologySection.nullable())).optional(),
      kernel: envelopeOf(wrap("kernel", kernelSection.nullable())).optional(),
      power: envelopeOf(wrap("power", powerSection.nullable())).optional(),
      irq: envelopeOf(wrap("irq", irqSection.nullable())).optional(),
      hugepages: envelopeOf(wrap("hugepages", hugepagesSection.nullable())).optional(),
      bios: envelopeOf(wrap("bios", biosSection.nullable())).optional(),
      resctrl: envelopeOf(wrap("resctrl", resctrlSection.nullable())).optional(),
      kvm: envelopeOf(wrap("kvm", kvmSection.nullable())).optional(),
      vms: envelopeOf(wrap("vms", vmsSection.nullable())).optional(),
    })
    .strict();
}

/** The sections as the contract declares them (the agents' own check and the JSON Schema are made from this). */
export const sectionsSchema = sectionsObject((_section, schema) => schema);

/**
 * The same sections as the agent API parses them: each section's data through acceptedOnce, so a value this
 * process accepted before is not parsed again (server/contract/accepted-sections.ts). Same refusals.
 */
const reportSectionsSchema = sectionsObject((section, schema) => acceptedOnce(section, schema));
export type ReportSections = z.infer<typeof sectionsSchema>;

export const heartbeatSchema = z
  .object({
    uptimeS: z.number().nonnegative().max(1e10),
    loadavg: z.tuple([z.number(), z.number(), z.number()]),
    /** agent's own resident set size, bytes */
    agentRssBytes: z.number().int().nonnegative().max(1e12).optional(),
    /** reports the agent's bounded spool has evicted undelivered since it was created (cumulative, persisted) */
    spoolDropped: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    /** reports the server refused (4xx) and the agent dropped, since the agent process started */
    rejected: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    /** reports the server kept failing (HTTP 500) that the agent set aside on disk to move on (cumulative, persisted) */
    setAside: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/** What the agent sends to `agent.report`. Sections omitted are unchanged since the last delivered report. */
export const reportInput = storable(
  z
  .object({
    hostId: z.string().uuid(),
    /** host id + sequence; a resend with the same key is stored once */
    idempotencyKey: z.string().min(1).max(128),
    sequence: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    collectedAt: recentTimestamp,
    agentVersion: shortText,
    hostname: z.string().min(1).max(253),
    heartbeat: heartbeatSchema.optional(),
    sections: reportSectionsSchema.default({}),
    latencyRuns: z.array(latencyRunSchema).max(20).default([]),
    qosSamples: z.array(qosSampleSchema).max(2000).default([]),
  })
  .strict(),
);
export type ReportInput = z.infer<typeof reportInput>;
export type ReportPayload = z.input<typeof reportInput>;

export const reportOutput = z.object({
  stored: z.boolean(),
  duplicate: z.boolean(),
  sectionsChanged: z.array(z.enum(SECTION_NAMES)),
  /** server-side configuration pushed back to the agent on every report */
  config: z.object({
    heartbeatSeconds: z.number().int().positive(),
    latencySchedule: agentLatencyScheduleSchema.nullable(),
  }),
});
export type ReportOutput = z.infer<typeof reportOutput>;

export const enrollInput = storable(
  z
    .object({
      enrollmentToken: z.string().min(16).max(256),
      hostname: z.string().min(1).max(253),
      agentVersion: shortText,
    })
    .strict(),
);
export const enrollOutput = z.object({ hostId: z.string().uuid(), hostToken: z.string() });
