import { describe, expect, it } from "vitest";
import { hostProfile, IRQ_NOISY_SHAPE, type HostKind } from "@/agent/simulate/hosts";
import { scheduledRunTimes } from "@/agent/simulate/history";
import { TUNED_RT_SHAPE } from "@/agent/simulate/latency";
import { simulateHostRun } from "@/agent/simulate/report";
import { builtinProfiles } from "@/server/domain/compliance/builtin-profiles";
import { threadParts } from "@/server/domain/latency/run";
import { sloVerdict } from "@/server/domain/latency/slo";
import { statsOfParts } from "@/server/domain/latency/stats";
import type { HistogramPart } from "@/server/domain/latency/histogram";

/**
 * The demo's 7-day latency report must tell the story (issue 12): tuned hosts pass the built-in SLO,
 * mistuned ones fail. Same lab as server/cli/demo-lab.ts (kinds, the drift 2 days ago, the host offline
 * for 3 days), same seed, hourly runs, a fixed clock.
 */
const LAB: { hostname: string; kind: HostKind; driftDaysAgo?: number; offlineDaysAgo?: number }[] = [
  { hostname: "nfvi-bj-c01", kind: "compliant" },
  { hostname: "nfvi-bj-c02", kind: "ht-on" },
  { hostname: "nfvi-bj-c03", kind: "no-nohz-full" },
  { hostname: "nfvi-bj-c04", kind: "irq-on-isolated", driftDaysAgo: 2 },
  { hostname: "nfvi-sh-a01", kind: "amd-epyc" },
  { hostname: "nfvi-bj-vm01", kind: "vm-guest" },
  { hostname: "nfvi-bj-c05", kind: "rt-throttling" },
  { hostname: "nfvi-bj-c06", kind: "cstates-turbo" },
  { hostname: "nfvi-sh-c01", kind: "rdt" },
  { hostname: "nfvi-bj-c07", kind: "compliant", offlineDaysAgo: 3 },
  { hostname: "nfvi-bj-c08", kind: "compliant" },
  { hostname: "nfvi-bj-c09", kind: "compliant" },
  { hostname: "nfvi-bj-c10", kind: "compliant" },
  { hostname: "nfvi-bj-c11", kind: "compliant" },
];

const NOW = new Date("2026-11-30T12:00:00Z");
const DAY = 86_400_000;
const SEED = "nfvdeck-demo-lab";

describe("the demo lab's 7-day SLO report", () => {
  it("tuned hosts pass the built-in SLO (max 20 µs, p99.999 15 µs), every mistuned host fails", () => {
    const from = new Date(NOW.getTime() - 7 * DAY);
    const verdicts = LAB.map((e, index) => {
      const profile = hostProfile(e.kind);
      const host = { hostname: e.hostname, profile };
      const until = e.offlineDaysAgo ? new Date(NOW.getTime() - e.offlineDaysAgo * DAY) : NOW;
      const driftAt = e.driftDaysAgo ? NOW.getTime() - e.driftDaysAgo * DAY : null;
      const parts: HistogramPart[] = [];
      for (const startedAt of scheduledRunTimes(from, until, 60, index)) {
        const shape = driftAt === null ? profile.shape : startedAt.getTime() < driftAt ? TUNED_RT_SHAPE : IRQ_NOISY_SHAPE;
        parts.push(...threadParts(simulateHostRun(host, { seed: SEED, startedAt, shape })));
      }
      const stats = statsOfParts(parts);
      const target = builtinProfiles().find((p) => p.kind === (e.kind === "vm-guest" ? "guest" : "host"));
      const slo = sloVerdict(stats, { maxUs: target?.sloMaxUs ?? null, p99999Us: target?.sloP99999Us ?? null });
      return { ...e, max: stats.max, p99999: stats.percentiles["99.999"], mean: stats.mean, cycles: stats.cycles, slo: slo.status, reasons: slo.reasons.join("; ") };
    });
    console.table(verdicts.map((v) => ({ host: v.hostname, kind: v.kind, max: v.max, p99999: v.p99999, mean: v.mean?.toFixed(2), cycles: v.cycles, slo: v.slo, why: v.reasons })));
    for (const v of verdicts) expect(v.slo, `${v.hostname} (${v.kind}): ${v.reasons}`).toBe(v.kind === "compliant" ? "pass" : "fail");
    // the slides' tuned RT guest: min 7 / avg 9 / max 16 µs; over a week of hourly runs a tuned host stays in that band
    for (const v of verdicts.filter((x) => x.kind === "compliant")) {
      expect(v.max).toBeGreaterThanOrEqual(14);
      expect(v.max).toBeLessThanOrEqual(19);
      // stored buckets are whole µs ([b, b+1)), so the histogram mean sits about 0.5 µs under cyclictest's avg
      expect(v.mean).toBeGreaterThan(8.4);
      expect(v.mean).toBeLessThan(9.4);
    }
  });
});
