"use client";

/**
 * A latency histogram the way the OSADL QA farm draws it: 1 µs buckets on x, log-scale sample counts
 * on y, one line per series (measured CPU, or host in a comparison). Empty buckets are gaps: a log
 * axis has no zero.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, seriesColor } from "./chart-colors";

export interface HistogramSeries {
  name: string;
  /** [bucket, count] ascending */
  points: ReadonlyArray<readonly [number, number]>;
}

export function HistogramChart({ title, series, unit = "µs", height = 320 }: { title: string; series: readonly HistogramSeries[]; unit?: string; height?: number }) {
  const buckets = new Set<number>();
  for (const s of series) for (const [b] of s.points) buckets.add(b);
  const sorted = [...buckets].sort((a, b) => a - b);
  const lo = sorted[0] ?? 0;
  const hi = sorted[sorted.length - 1] ?? 0;
  const lookup = series.map((s) => new Map(s.points.map(([b, c]) => [b, c])));
  // every bucket between the first and last non-empty one, so the shape reads like the farm's plots
  const data: Array<Record<string, number | null>> = [];
  if (hi - lo <= 5000) {
    for (let b = lo; b <= hi; b++) {
      const row: Record<string, number | null> = { bucket: b };
      lookup.forEach((m, i) => (row[`s${i}`] = m.get(b) ?? null));
      data.push(row);
    }
  } else {
    for (const b of sorted) {
      const row: Record<string, number | null> = { bucket: b };
      lookup.forEach((m, i) => (row[`s${i}`] = m.get(b) ?? null));
      data.push(row);
    }
  }
  return (
    <figure className="space-y-1" data-testid="histogram-chart">
      <figcaption className="text-sm font-medium">{title}</figcaption>
      {data.length > 0 && (
        <p className="sr-only" data-testid="chart-summary">
          {histogramSummary(series, unit)}
        </p>
      )}
      {data.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-500 dark:text-slate-400">No samples.</p>
      ) : (
        <div style={{ height }} className="w-full" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.35} />
              <XAxis dataKey="bucket" type="number" domain={[lo, hi]} allowDecimals={false} label={{ value: `latency (${unit})`, position: "insideBottom", offset: -12 }} tick={{ fontSize: 11 }} />
              <YAxis scale="log" domain={[1, "auto"]} allowDataOverflow tick={{ fontSize: 11 }} tickFormatter={formatCount} width={56} label={{ value: "samples", angle: -90, position: "insideLeft" }} />
              <Tooltip formatter={(v) => [String(v), "samples"]} labelFormatter={(b) => `${String(b)} ${unit}`} />
              <Legend verticalAlign="top" height={24} />
              {series.map((s, i) => (
                <Line key={s.name} type="linear" dataKey={`s${i}`} name={s.name} stroke={seriesColor(i)} dot={false} strokeWidth={1.5} connectNulls={false} isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

/** The chart in words for screen readers: per series the sample count, range and most frequent bucket. */
function histogramSummary(series: readonly HistogramSeries[], unit: string): string {
  const parts = series.map((s) => {
    let total = 0;
    let mode: readonly [number, number] | null = null;
    for (const p of s.points) {
      total += p[1];
      if (!mode || p[1] > mode[1]) mode = p;
    }
    const first = s.points[0]?.[0];
    const last = s.points[s.points.length - 1]?.[0];
    if (first === undefined || last === undefined || !mode) return `${s.name}: no samples`;
    return `${s.name}: ${total.toLocaleString("en")} samples from ${first} to ${last} ${unit}, most at ${mode[0]} ${unit}`;
  });
  return `Latency histogram (log-scale sample counts). ${parts.join("; ")}.`;
}
