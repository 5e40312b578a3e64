"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { MIGRATION_GUIDE_FIGURES, MIGRATION_REQUIREMENT } from "@/server/contract/job";

export type MigrationPoint = {
  jobId: string;
  finishedAt: Date;
  totalTimeMs: number | null;
  downtimeMs: number | null;
  verdict: "pass" | "fail" | null;
  /** the pre-flight prediction the operator confirmed */
  predicted?: { converges: boolean; totalTimeMs: number | null; downtimeMs: number | null; message: string } | null;
};

function oneChart(title: string, key: "totalTimeMs" | "downtimeMs", points: readonly MigrationPoint[], requirement: number, guide: { label: string; value: number }[]) {
  // a non-converging prediction has no total, and its downtime (a whole window of dirtying) is not a downtime QEMU would take
  const data = points.map((p, i) => ({ n: i + 1, v: p[key], pv: p.predicted?.converges ? p.predicted[key] : null }));
  const max = Math.max(requirement, ...guide.map((g) => g.value), ...data.map((d) => Math.max(d.v ?? 0, d.pv ?? 0))) * 1.1;
  return (
    <figure className="space-y-1">
      <figcaption className="text-xs font-semibold text-slate-600 dark:text-slate-300">
        {title} <span className="font-normal text-slate-500">(ms per migration)</span>
      </figcaption>
      <div style={{ height: 200 }} className="w-full text-slate-600 dark:text-slate-300" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 96, bottom: 8, left: 8 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.35} />
            <XAxis dataKey="n" type="number" domain={[1, Math.max(1, data.length)]} allowDecimals={false} tick={{ fontSize: 11, fill: "currentColor" }} />
            <YAxis domain={[0, Math.ceil(max)]} tick={{ fontSize: 11, fill: "currentColor" }} width={48} />
            <Tooltip formatter={(v, name) => [`${String(v)} ms`, name === "pv" ? `${title} predicted` : title]} labelFormatter={(n) => `migration ${String(n)}`} />
            <ReferenceLine y={requirement} stroke="#e11d48" strokeDasharray="6 3" label={{ value: `requirement ${requirement} ms`, position: "right", fontSize: 10, fill: "#e11d48" }} />
            {guide.map((g) => (
              <ReferenceLine key={g.label} y={g.value} stroke="#7c3aed" strokeDasharray="2 3" label={{ value: `${g.label} ${g.value} ms`, position: "right", fontSize: 10, fill: "#7c3aed" }} />
            ))}
            <Line dataKey="v" stroke="#0284c7" strokeWidth={2} dot={{ r: 3 }} connectNulls={false} isAnimationActive={false} />
            <Line dataKey="pv" stroke="#d97706" strokeWidth={1.5} strokeDasharray="4 3" dot={{ r: 3, strokeDasharray: "0" }} connectNulls={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** A text summary of the chart (screen readers, print). */
export function migrationHistorySummary(vm: string, points: readonly MigrationPoint[]): string {
  const done = points.filter((p) => p.totalTimeMs !== null);
  if (done.length === 0) return `${vm}: no finished migration with figures yet.`;
  const last = done[done.length - 1]!;
  const passes = points.filter((p) => p.verdict === "pass").length;
  const predicted = last.predicted ? ` Predicted beforehand: ${last.predicted.message}.` : "";
  return `${vm}: ${points.length} migration(s), ${passes} pass. Latest total ${last.totalTimeMs} ms, downtime ${last.downtimeMs ?? "—"} ms (requirement ${MIGRATION_REQUIREMENT.totalTimeMs} ms / ${MIGRATION_REQUIREMENT.downtimeMs} ms).${predicted}`;
}

/** Per-VM history: total time and downtime per migration against 2 s / 10 ms and the guide's published figures. */
export function MigrationHistoryChart({ vm, points }: { vm: string; points: readonly MigrationPoint[] }) {
  return (
    <div className="space-y-2" data-testid="migration-history-chart">
      <p className="text-sm">{migrationHistorySummary(vm, points)}</p>
      {points.some((p) => p.predicted) && (
        <p className="text-xs text-slate-600 dark:text-slate-300">
          <span className="text-sky-700 dark:text-sky-400">solid blue</span>: QEMU&apos;s figures; <span className="text-amber-700 dark:text-amber-400">dashed amber</span>: the
          confirmed pre-flight prediction (only where it predicted convergence).
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        {oneChart("Total time", "totalTimeMs", points, MIGRATION_REQUIREMENT.totalTimeMs, MIGRATION_GUIDE_FIGURES.map((g) => ({ label: g.label, value: g.totalTimeMs })))}
        {oneChart("Downtime", "downtimeMs", points, MIGRATION_REQUIREMENT.downtimeMs, MIGRATION_GUIDE_FIGURES.map((g) => ({ label: g.label, value: g.downtimeMs })))}
      </div>
    </div>
  );
}
