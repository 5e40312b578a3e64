import { Facts } from "@/app/_components/panel";
import { fmtMs, fmtRate } from "@/app/_components/jobs/migration-figures";
import { migrationPreflightSchema, predictMigrationResultSchema, type MigrateResult, type MigrationPreflight, type MigrationPrediction, type PredictMigrationResult } from "@/server/contract/migration";

/** The predict job's result JSON, or null when it is not one. */
export function asPredictionResult(v: unknown): PredictMigrationResult | null {
  const r = predictMigrationResultSchema.safeParse(v);
  return r.success ? r.data : null;
}

/** The prediction a migrate job's params carry (what the operator confirmed), or null. */
export function preflightOf(params: Record<string, unknown> | null | undefined): MigrationPreflight | null {
  const r = migrationPreflightSchema.safeParse(params?.preflight);
  return r.success ? r.data : null;
}

/** Milliseconds with a decimal under 10 ms (downtimes), else as fmtMs. */
export function fmtMsFine(v: number | null): string {
  if (v === null) return "—";
  return v < 10 ? `${v.toFixed(1)} ms` : fmtMs(v);
}

/** "will converge" / "will NOT converge" in words, never colour alone. */
export function ConvergenceBadge({ prediction }: { prediction: MigrationPrediction | null }) {
  const style =
    prediction === null
      ? "bg-slate-100 text-slate-700 dark:bg-slate-500/15 dark:text-slate-300"
      : prediction.converges
        ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300"
        : "bg-amber-100 text-amber-900 dark:bg-amber-500/15 dark:text-amber-300";
  const text = prediction === null ? "no prediction" : prediction.converges ? "predicted to converge" : "predicted NOT to converge";
  return (
    <span className={`inline-flex items-center rounded px-2 py-0.5 text-sm font-semibold ${style}`} data-testid="prediction-verdict" data-converges={prediction === null ? "unknown" : String(prediction.converges)}>
      {text}
    </span>
  );
}

/** The figures of one prediction. */
export function PredictionFacts({ prediction, reason, sampledMs }: { prediction: MigrationPrediction | null; reason: string | null; sampledMs?: number }) {
  if (prediction === null) {
    return (
      <p className="text-sm" data-testid="prediction-message">
        No prediction: {reason ?? "unknown reason"}
      </p>
    );
  }
  return (
    <div className="space-y-2">
      <p className="font-mono text-sm" data-testid="prediction-message">
        {prediction.message}
      </p>
      <Facts
        items={[
          ["Dirty rate (sampled)", fmtRate(prediction.dirtyBytesPerS)],
          ["Bandwidth", fmtRate(prediction.bandwidthBytesPerS)],
          ["Downtime limit", `${prediction.downtimeLimitMs} ms`],
          ["Predicted total", <span key="t" data-testid="predicted-total">{totalText(prediction)}</span>],
          prediction.converges
            ? ["Predicted downtime", <span key="d" data-testid="predicted-downtime">{fmtMsFine(prediction.predictedDowntimeMs)}</span>]
            : ["Downtime if stopped", <span key="d" data-testid="predicted-downtime">≈ {fmtMsFine(prediction.predictedDowntimeMs)} (a window of dirtying)</span>],
          ...(sampledMs !== undefined ? [["Sampling took", fmtMs(sampledMs)] as const] : []),
        ]}
      />
    </div>
  );
}

/**
 * An estimate (≈) when the agent could read how much of guest RAM is non-zero; an upper bound (≤, the
 * message then says "at most") when it could not and counted all of RAM.
 */
function totalText(p: MigrationPrediction): string {
  if (p.predictedTotalMs === null) return "does not finish";
  return `${p.message.includes("at most;") ? "≤" : "≈"} ${fmtMs(p.predictedTotalMs)}`;
}

/** A non-converging prediction's downtime is what stopping the VM would cost, not one QEMU would take. */
function downtimeText(p: MigrationPrediction): string {
  return p.converges ? fmtMsFine(p.predictedDowntimeMs) : `≈ ${fmtMsFine(p.predictedDowntimeMs)} if stopped`;
}

/**
 * Predicted beside actual: the pre-flight the operator confirmed, the agent's own re-sample right before
 * `migrate`, and QEMU's figures.
 */
export function PredictedVsActual({ preflight, result }: { preflight: MigrationPreflight | null; result: MigrateResult }) {
  const columns: { label: string; total: string; downtime: string; note: string }[] = [];
  if (preflight) {
    const p = preflight.prediction;
    columns.push({
      label: "Predicted (confirmed)",
      total: p === null ? "—" : totalText(p),
      downtime: p === null ? "—" : downtimeText(p),
      note: p?.message ?? `no prediction: ${preflight.reason ?? "unknown"}`,
    });
  }
  if (result.prediction) {
    const p = result.prediction;
    columns.push({
      label: "Re-sampled at start",
      total: totalText(p),
      downtime: downtimeText(p),
      note: p.message,
    });
  }
  columns.push({ label: "Actual (QEMU)", total: fmtMs(result.totalTimeMs), downtime: fmtMsFine(result.downtimeMs), note: `${result.status}, ${result.verdict}` });
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="predicted-vs-actual">
        <caption className="mb-1 text-left text-xs font-semibold text-slate-600 dark:text-slate-300">Prediction beside the result</caption>
        <thead className="text-xs text-slate-500 dark:text-slate-400">
          <tr>
            <th className="py-1 pr-3 font-medium" scope="col"></th>
            <th className="py-1 pr-3 font-medium" scope="col">Total</th>
            <th className="py-1 pr-3 font-medium" scope="col">Downtime</th>
            <th className="py-1 pr-3 font-medium" scope="col">Basis</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.label} className="border-t border-slate-100 align-top dark:border-slate-800">
              <th scope="row" className="py-1 pr-3 font-medium">
                {c.label}
              </th>
              <td className="py-1 pr-3 tabular-nums">{c.total}</td>
              <td className="py-1 pr-3 tabular-nums">{c.downtime}</td>
              <td className="py-1 pr-3 font-mono text-xs text-slate-600 dark:text-slate-300">{c.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
