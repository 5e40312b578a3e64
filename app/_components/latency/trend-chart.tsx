"use client";

/**
 * Latency over time: p50 / p99 / p99.99 / max per run or per hour (each from that period's merged
 * histogram), the SLO line, and vertical markers where the host's configuration drifted.
 */
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUtcTick, seriesColor } from "./chart-colors";

export interface TrendPointView {
  t: number;
  p50: number | null;
  p99: number | null;
  p9999: number | null;
  max: number | null;
  lowerBounds: string[];
}

export interface MarkerView {
  t: number;
  label: string;
}

const METRIC_NAMES = { p50: "p50", p99: "p99", p9999: "p99.99", max: "max" } as const;

const LINES = [
  { key: "p50", name: "p50" },
  { key: "p99", name: "p99" },
  { key: "p9999", name: "p99.99" },
  { key: "max", name: "max" },
] as const;

export function TrendChart({
  points,
  markers,
  sloUs,
  from,
  to,
  height = 300,
}: {
  points: readonly TrendPointView[];
  markers: readonly MarkerView[];
  sloUs: number | null;
  from: number;
  to: number;
  height?: number;
}) {
  const span = to - from;
  return (
    <figure className="space-y-1" data-testid="trend-chart">
      {points.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-500 dark:text-slate-400">No runs in this window.</p>
      ) : (
        <div style={{ height }} className="w-full" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={[...points]} margin={{ top: 24, right: 24, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.35} />
              <XAxis dataKey="t" type="number" domain={[from, to]} scale="time" tickFormatter={(v: number) => formatUtcTick(v, span)} tick={{ fontSize: 11 }} minTickGap={48} />
              <YAxis scale="log" domain={[(lo: number) => Math.max(1, Math.floor(lo / 1.5)), "auto"]} allowDataOverflow tick={{ fontSize: 11 }} width={56} label={{ value: "µs", angle: -90, position: "insideLeft" }} />
              <Tooltip
                labelFormatter={(v) => `${new Date(Number(v)).toISOString().replace("T", " ").slice(0, 16)} UTC`}
                formatter={(v, name, item) => {
                  const key = String(item.dataKey ?? "");
                  const lb = (item.payload as TrendPointView).lowerBounds.includes(key);
                  return [`${lb ? "> " : ""}${String(v)} µs`, String(name)];
                }}
              />
              <Legend verticalAlign="top" height={24} />
              {sloUs !== null && <ReferenceLine y={sloUs} stroke="#dc2626" strokeDasharray="6 4" label={{ value: `SLO ${sloUs} µs`, position: "insideTopRight", fontSize: 11, fill: "#dc2626" }} />}
              {markers.map((m) => (
                <ReferenceLine key={m.t} x={m.t} stroke="#7c3aed" strokeDasharray="2 3" label={{ value: m.label, position: "insideTopLeft", fontSize: 11, fill: "#7c3aed", angle: 0 }} />
              ))}
              {LINES.map((l, i) => (
                <Line key={l.key} type="linear" dataKey={l.key} name={l.name} stroke={seriesColor(i)} dot={points.length < 60} strokeWidth={1.5} isAnimationActive={false} connectNulls />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      {points.length > 0 && (
        <figcaption className="sr-only" data-testid="chart-summary">
          {trendSummary(points, sloUs, markers.length)}
        </figcaption>
      )}
    </figure>
  );
}

function utc(t: number): string {
  return `${new Date(t).toISOString().replace("T", " ").slice(0, 16)} UTC`;
}

function valueText(p: TrendPointView, key: (typeof LINES)[number]["key"]): string {
  const v = p[key];
  return v === null ? "no data" : `${p.lowerBounds.includes(key) ? "> " : ""}${v} µs`;
}

/** The trend in words for screen readers: period, latest values, worst max, SLO and drift markers. */
function trendSummary(points: readonly TrendPointView[], sloUs: number | null, markers: number): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return "No runs in this window.";
  const maxima = points.map((p) => p.max).filter((v): v is number => v !== null);
  const latest = LINES.map((l) => `${l.name} ${valueText(last, l.key)}`).join(", ");
  return (
    `Latency trend, ${points.length} ${points.length === 1 ? "point" : "points"} from ${utc(first.t)} to ${utc(last.t)}. ` +
    `Latest: ${latest}.` +
    (maxima.length > 0 ? ` Worst max ${Math.max(...maxima)} µs.` : "") +
    (sloUs !== null ? ` SLO ${sloUs} µs.` : "") +
    (markers > 0 ? ` ${markers} configuration ${markers === 1 ? "change" : "changes"} marked.` : "")
  );
}

/** One metric, one line per host (compare view). */
export function TrendCompareChart({
  hosts,
  metric,
  sloUs,
  from,
  to,
  height = 300,
}: {
  hosts: ReadonlyArray<{ name: string; points: readonly TrendPointView[] }>;
  metric: "p50" | "p99" | "p9999" | "max";
  sloUs: number | null;
  from: number;
  to: number;
  height?: number;
}) {
  const byT = new Map<number, Record<string, number | null>>();
  hosts.forEach((h, i) => {
    for (const p of h.points) {
      const row = byT.get(p.t) ?? { t: p.t };
      row[`h${i}`] = p[metric];
      byT.set(p.t, row);
    }
  });
  const data = [...byT.values()].sort((a, b) => Number(a.t) - Number(b.t));
  return (
    <div className="w-full" data-testid="trend-compare-chart">
      <p className="sr-only" data-testid="chart-summary">
        {`Trend of ${METRIC_NAMES[metric]} per host: ` +
          hosts
            .map((h) => {
              const values = h.points.map((p) => p[metric]).filter((v): v is number => v !== null);
              const last = values[values.length - 1];
              return last === undefined ? `${h.name} no data` : `${h.name} latest ${last} µs, worst ${Math.max(...values)} µs`;
            })
            .join("; ") +
          "."}
      </p>
      <div style={{ height }} aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.35} />
          <XAxis dataKey="t" type="number" domain={[from, to]} scale="time" tickFormatter={(v: number) => formatUtcTick(v, to - from)} tick={{ fontSize: 11 }} minTickGap={48} />
          <YAxis scale="log" domain={[(lo: number) => Math.max(1, Math.floor(lo / 1.5)), "auto"]} allowDataOverflow tick={{ fontSize: 11 }} width={56} label={{ value: "µs", angle: -90, position: "insideLeft" }} />
          <Tooltip labelFormatter={(v) => `${new Date(Number(v)).toISOString().replace("T", " ").slice(0, 16)} UTC`} />
          <Legend verticalAlign="top" height={24} />
          {sloUs !== null && <ReferenceLine y={sloUs} stroke="#dc2626" strokeDasharray="6 4" label={{ value: `SLO ${sloUs} µs`, position: "insideTopRight", fontSize: 11, fill: "#dc2626" }} />}
          {hosts.map((h, i) => (
            // dots while points are few: a single hourly point has no line to draw
            <Line key={h.name} dataKey={`h${i}`} name={h.name} stroke={seriesColor(i)} dot={data.length < 60} strokeWidth={1.5} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
      </div>
    </div>
  );
}
