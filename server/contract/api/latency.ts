/**
 * Latency API shapes, declared once: the routers' .input()/.output() use them and the services' types are
 * z.infer of them.
 */
import { z } from "zod";
import { latencyScheduleSchema } from "@/server/contract/latency-schedule";
import { WINDOW_PRESETS } from "@/server/domain/latency/window";

export const windowInput = z.union([
  z.object({ preset: z.enum(WINDOW_PRESETS) }).strict(),
  z.object({ from: z.coerce.date(), to: z.coerce.date() }).strict(),
]);

export const hostIdInput = z.string().uuid();

const unit = z.enum(["us", "ns"]);

export const statsOutput = z.object({
  unit,
  histogramSize: z.number(),
  runs: z.number(),
  cycles: z.number(),
  overflows: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  percentiles: z.record(z.string(), z.number().nullable()),
  lowerBounds: z.array(z.string()),
});

export const sloTargetsOutput = z.object({ maxUs: z.number().nullable(), p99999Us: z.number().nullable() });
export const sloVerdictOutput = z.object({
  status: z.enum(["pass", "fail", "no-data", "no-target"]),
  reasons: z.array(z.string()),
});

export const windowOutput = z.object({ from: z.date(), to: z.date(), label: z.string() });

export const trendPointOutput = z.object({
  t: z.number(),
  runs: z.number(),
  cycles: z.number(),
  p50: z.number().nullable(),
  p99: z.number().nullable(),
  p9999: z.number().nullable(),
  p99999: z.number().nullable(),
  max: z.number().nullable(),
  lowerBounds: z.array(z.enum(["p50", "p99", "p9999", "p99999"])),
});

export const driftMarkerOutput = z.object({ t: z.number(), label: z.string(), details: z.array(z.string()) });

export const histogramPairs = z.array(z.tuple([z.number(), z.number()]));

export const runSummaryOutput = z.object({
  id: z.string(),
  hostId: z.string(),
  startedAt: z.date(),
  durationS: z.number(),
  source: z.string(),
  load: z.string(),
  unit,
  histogramSize: z.number(),
  priority: z.number().nullable(),
  intervalUs: z.number().nullable(),
  toolVersion: z.string().nullable(),
  cpus: z.array(z.number().nullable()),
  stats: statsOutput,
});

export const scheduleOutput = latencyScheduleSchema.extend({
  hostId: z.string(),
  updatedAt: z.date().nullable(),
  updatedBy: z.string().nullable(),
});

export const resolutionOutput = z.enum(["run", "hour", "day"]);

export const hostStatsOutput = z.object({
  hostId: z.string(),
  hostname: z.string(),
  window: windowOutput,
  stats: statsOutput,
  slo: sloVerdictOutput,
  sloTargets: sloTargetsOutput,
  excludedRuns: z.number(),
  rowsRead: z.number(),
});
export type HostWindowStats = z.infer<typeof hostStatsOutput>;

export const fleetReportOutput = z.object({
  window: windowOutput,
  rows: z.array(z.object({ hostId: z.string(), hostname: z.string(), stats: statsOutput, slo: sloVerdictOutput })),
  fleet: statsOutput,
  hostsWithData: z.number(),
  rowsRead: z.number(),
});
export type FleetReport = z.infer<typeof fleetReportOutput>;

export const hostTrendOutput = z.object({
  hostId: z.string(),
  window: windowOutput,
  resolution: resolutionOutput,
  points: z.array(trendPointOutput),
  markers: z.array(driftMarkerOutput),
  sloTargets: sloTargetsOutput,
});
export type HostTrend = z.infer<typeof hostTrendOutput>;

export const compareHostsOutput = z.object({
  window: windowOutput,
  resolution: resolutionOutput,
  hosts: z.array(
    z.object({
      hostId: z.string(),
      hostname: z.string(),
      stats: statsOutput,
      slo: sloVerdictOutput,
      histogram: histogramPairs,
      trend: z.array(trendPointOutput),
      markers: z.array(driftMarkerOutput),
    }),
  ),
});
export type CompareHosts = z.infer<typeof compareHostsOutput>;

export type RunSummary = z.infer<typeof runSummaryOutput>;

export const runDetailOutput = runSummaryOutput.extend({
  hostname: z.string(),
  cmdline: z.string().nullable(),
  threads: z.array(z.object({ thread: z.number(), cpu: z.number().nullable(), stats: statsOutput, histogram: histogramPairs })),
});
export type RunDetail = z.infer<typeof runDetailOutput>;

export type LatencySchedule = z.infer<typeof scheduleOutput>;

export const uploadOutput = z.object({ runId: z.string(), duplicate: z.boolean() });

export const FLEET_REPORT_SORTS = ["host", "p50", "p99", "p99.9", "p99.99", "p99.999", "min", "max", "mean", "cycles", "slo"] as const;
export const FLEET_REPORT_SLO_FILTERS = ["all", "fail", "pass", "no-data"] as const;
export const FLEET_REPORT_PAGE_SIZE = 100;

/** One page of the fleet latency report: ranks, SLO verdicts, counts and the fleet distribution in SQL. */
export const fleetReportPageInput = z
  .object({
    window: windowInput,
    /** hostname contains (case-insensitive) */
    q: z.string().max(100).default(""),
    slo: z.enum(FLEET_REPORT_SLO_FILTERS).default("all"),
    sort: z.enum(FLEET_REPORT_SORTS).default("p99.999"),
    dir: z.enum(["asc", "desc"]).default("desc"),
    page: z.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(FLEET_REPORT_PAGE_SIZE),
  })
  .strict();
export type FleetReportPageInput = z.infer<typeof fleetReportPageInput>;

export const fleetReportPageOutput = z.object({
  window: windowOutput,
  /** every host, measured or not */
  hosts: z.number().int(),
  hostsWithData: z.number().int(),
  failing: z.number().int(),
  /** hosts matching q and the SLO filter */
  matching: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  fleet: statsOutput,
  rows: fleetReportOutput.shape.rows,
  /** a preset window ends at this whole hour (figures precomputed as of it); null for a custom window */
  asOf: z.date().nullable(),
  /** "summary": ranked from the precomputed per-host window summaries; "exact": every host's histograms merged now */
  source: z.enum(["summary", "exact"]),
});
export type FleetReportPage = z.infer<typeof fleetReportPageOutput>;
