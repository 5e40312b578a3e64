/**
 * SLO verdicts from merged statistics. Targets are µs (Profile.sloMaxUs / sloP99999Us); a host with
 * no target configured is judged against max ≤ 20 µs, the KVM4NFV goal.
 */
import type { LatencyStats } from "./stats";

export interface SloTargets {
  maxUs: number | null;
  p99999Us: number | null;
}

export const DEFAULT_SLO: SloTargets = { maxUs: 20, p99999Us: null };

export type SloStatus = "pass" | "fail" | "no-data" | "no-target";

export interface SloVerdict {
  status: SloStatus;
  /** why it failed, one line per target missed */
  reasons: string[];
}

/** Profile targets, falling back to the default max when the profile sets none at all. */
export function effectiveSlo(profile: { sloMaxUs: number | null; sloP99999Us: number | null } | null): SloTargets {
  if (!profile || (profile.sloMaxUs === null && profile.sloP99999Us === null)) return DEFAULT_SLO;
  return { maxUs: profile.sloMaxUs, p99999Us: profile.sloP99999Us };
}

export function sloVerdict(stats: LatencyStats, targets: SloTargets): SloVerdict {
  if (targets.maxUs === null && targets.p99999Us === null) return { status: "no-target", reasons: [] };
  if (stats.cycles === 0) return { status: "no-data", reasons: [] };
  const scale = stats.unit === "ns" ? 1000 : 1;
  const u = stats.unit === "ns" ? "ns" : "µs";
  const reasons: string[] = [];
  if (targets.maxUs !== null) {
    const limit = targets.maxUs * scale;
    if (stats.max === null) reasons.push("max unknown");
    else if (stats.max > limit) reasons.push(`max ${stats.max} ${u} > ${limit} ${u}`);
  }
  if (targets.p99999Us !== null) {
    const limit = targets.p99999Us * scale;
    const v = stats.percentiles["99.999"] ?? null;
    if (v === null) reasons.push("p99.999 unknown");
    else if (stats.lowerBounds.includes("99.999")) {
      // only "≥ N" is known; the true max bounds it from above when it is within the target
      if (v > limit || stats.max === null || stats.max > limit) {
        reasons.push(`p99.999 > ${v} ${u} (overflow tail) cannot be shown ≤ ${limit} ${u}`);
      }
    } else if (v > limit) reasons.push(`p99.999 ${v} ${u} > ${limit} ${u}`);
  }
  return { status: reasons.length === 0 ? "pass" : "fail", reasons };
}
