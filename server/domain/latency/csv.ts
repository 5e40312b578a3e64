/** CSV of the fleet latency report (RFC 4180: CRLF, fields quoted when needed). */
import { REPORTED_PERCENTILES } from "./histogram";
import type { SloVerdict } from "./slo";
import type { LatencyStats } from "./stats";

export interface FleetReportRow {
  hostId: string;
  hostname: string;
  stats: LatencyStats;
  slo: SloVerdict;
}

function field(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  // a leading = + - @ would be run as a formula by spreadsheets
  const safe = /^[=+\-@]/.test(s) && typeof v === "string" ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function fleetReportCsv(rows: readonly FleetReportRow[], window: { from: Date; to: Date }): string {
  const header = [
    "host",
    "host_id",
    "window_from",
    "window_to",
    "unit",
    ...REPORTED_PERCENTILES.map((q) => `p${q}`),
    ...REPORTED_PERCENTILES.map((q) => `p${q}_is_lower_bound`),
    "min",
    "max",
    "mean",
    "cycles",
    "overflows",
    "runs",
    "slo",
    "slo_reasons",
  ];
  const lines = [header.join(",")];
  for (const r of rows) {
    const s = r.stats;
    lines.push(
      [
        field(r.hostname),
        field(r.hostId),
        field(window.from.toISOString()),
        field(window.to.toISOString()),
        field(s.unit),
        ...REPORTED_PERCENTILES.map((q) => field(s.percentiles[q] ?? null)),
        ...REPORTED_PERCENTILES.map((q) => field(s.lowerBounds.includes(q) ? "true" : "false")),
        field(s.min),
        field(s.max),
        field(s.mean === null ? null : Number(s.mean.toFixed(3))),
        field(s.cycles),
        field(s.overflows),
        field(s.runs),
        field(r.slo.status),
        field(r.slo.reasons.join("; ")),
      ].join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
