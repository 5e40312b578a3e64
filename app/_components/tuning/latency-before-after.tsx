import Link from "next/link";
import { SloBadge } from "@/app/_components/latency/stat-cells";
import type { LatencyWindowSummary, TuneChangeLatency } from "@/server/contract/api/tuning";
import { latencyWindowQuery } from "@/server/domain/tuning/latency-windows";

function us(v: number | null): string {
  return v === null ? "—" : `${Number.isInteger(v) ? v : v.toFixed(1)} µs`;
}

function when(d: Date): string {
  return d.toISOString().slice(0, 16).replace("T", " ");
}

function WindowCell({ label, w, hostId, testId }: { label: string; w: LatencyWindowSummary; hostId: string; testId: string }) {
  const href = `/hosts/${hostId}/latency?${latencyWindowQuery(w)}`;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5" data-testid={testId} data-slo={w.slo.status}>
      <span className="font-medium">{label}:</span>
      {w.cycles === 0 ? (
        <span className="text-slate-500 dark:text-slate-400">no runs yet</span>
      ) : (
        <>
          <span>
            p99.999 <span className="tabular-nums">{us(w.p99999Us)}</span>, max <span className="tabular-nums">{us(w.maxUs)}</span>
          </span>
          <SloBadge status={w.slo.status} reasons={w.slo.reasons} />
          <span className="text-xs text-slate-500 dark:text-slate-400">
            {w.runs} run{w.runs === 1 ? "" : "s"}, {w.cycles.toLocaleString("en")} samples
          </span>
        </>
      )}
      <Link href={href} className="text-xs text-sky-700 underline dark:text-sky-400" aria-label={`${label} window in the latency view (${when(w.from)} to ${when(w.to)} UTC)`}>
        {when(w.from)} → {when(w.to)}
      </Link>
    </span>
  );
}

/** A tuning change's latency: the merged cyclictest statistics of the window before it next to the window after it, each linking to the latency view. */
export function LatencyBeforeAfter({ change, compact = false }: { change: TuneChangeLatency; compact?: boolean }) {
  return (
    <div className={compact ? "space-y-0.5 text-sm" : "space-y-1 text-sm"} data-testid="latency-before-after">
      {!compact && <h3 className="font-medium">Latency before and after</h3>}
      <div className="flex flex-col gap-0.5">
        <WindowCell label="before" w={change.before} hostId={change.hostId} testId="latency-before" />
        <WindowCell label="after" w={change.after} hostId={change.hostId} testId="latency-after" />
      </div>
      {!compact && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Runs that started in the day before the job (from the previous change at most) against runs started since it finished (to the next change, a week at most); runs overlapping the job count in neither. SLO: max ≤ {change.sloTargets.maxUs ?? "—"} µs, p99.999 ≤{" "}
          {change.sloTargets.p99999Us ?? "—"} µs.
        </p>
      )}
    </div>
  );
}
