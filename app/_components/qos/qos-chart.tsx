"use client";

/**
 * One QoS metric over time, one line per (monitoring group, L3 domain): colour per group, dashed for
 * the second and later domains. A null value is a gap (a counter reset or an unreadable counter).
 */
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUtcTick, seriesColor } from "@/app/_components/latency/chart-colors";

export interface QosLineView {
  name: string;
  colorIndex: number;
  dashed: boolean;
  points: { t: number; v: number | null }[];
}

function utc(t: number): string {
  return `${new Date(t).toISOString().replace("T", " ").slice(0, 16)} UTC`;
}

/** Axis ticks over the whole window (not only where data is): every 3 h for a day, daily for a week, on UTC boundaries. */
function windowTicks(from: number, to: number): number[] {
  const step = to - from <= 2 * 86_400_000 ? 3 * 3_600_000 : 86_400_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The chart in words: per line, latest, mean and peak value, and the number of gaps. */
export function qosChartSummary(title: string, unit: string, lines: readonly QosLineView[]): string {
  const parts = lines.map((l) => {
    const values = l.points.map((p) => p.v).filter((v): v is number => v !== null);
    const gaps = l.points.filter((p) => p.v === null).length;
    const last = [...l.points].reverse().find((p) => p.v !== null);
    if (!last || last.v === null || values.length === 0) return `${l.name}: no data`;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return `${l.name}: latest ${fmt(last.v)} ${unit} at ${utc(last.t)}, mean ${fmt(mean)}, peak ${fmt(Math.max(...values))}${gaps > 0 ? `, ${gaps} ${gaps === 1 ? "gap" : "gaps"}` : ""}`;
  });
  return `${title} (${unit}). ${parts.join("; ")}.`;
}

/** resets: times of MBM counter resets, marked with a dotted vertical line. */
export function QosChart({
  title,
  unit,
  lines,
  from,
  to,
  testId,
  resets = [],
  height = 260,
}: {
  title: string;
  unit: string;
  lines: readonly QosLineView[];
  from: number;
  to: number;
  testId: string;
  resets?: readonly number[];
  height?: number;
}) {
  const hasData = lines.some((l) => l.points.some((p) => p.v !== null));
  return (
    <figure className="space-y-1" data-testid={testId}>
      <figcaption className="text-xs font-semibold text-slate-600 dark:text-slate-300">
        {title} <span className="font-normal text-slate-500 dark:text-slate-400">({unit})</span>
      </figcaption>
      {!hasData ? (
        <p className="py-8 text-center text-sm text-slate-500 dark:text-slate-400">No readings in this window.</p>
      ) : (
        <>
          <div style={{ height }} className="w-full text-slate-600 dark:text-slate-300" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart margin={{ top: 8, right: 24, bottom: 8, left: 8 }} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.35} />
                <XAxis dataKey="t" type="number" domain={[from, to]} scale="time" allowDuplicatedCategory={false} ticks={windowTicks(from, to)} tickFormatter={(v: number) => formatUtcTick(v, to - from)} tick={{ fontSize: 11, fill: "currentColor" }} minTickGap={24} />
                <YAxis tick={{ fontSize: 11, fill: "currentColor" }} width={56} tickFormatter={(v: number) => fmt(v)} />
                <Tooltip
                  labelFormatter={(v) => utc(Number(v))}
                  formatter={(v, name) => [typeof v === "number" ? `${fmt(v)} ${unit}` : "gap", String(name)]}
                  contentStyle={{ fontSize: 12 }}
                  wrapperClassName="dark:[&_.recharts-default-tooltip]:border-slate-700! dark:[&_.recharts-default-tooltip]:bg-slate-900!"
                />
                <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 11 }} />
                {[...new Set(resets)].map((t) => (
                  <ReferenceLine key={t} x={t} stroke="#7c3aed" strokeDasharray="2 3" label={{ value: "reset", position: "insideTopLeft", fontSize: 10, fill: "#7c3aed" }} />
                ))}
                {lines.map((l) => (
                  <Line
                    key={l.name}
                    data={l.points}
                    dataKey="v"
                    name={l.name}
                    type="linear"
                    stroke={seriesColor(l.colorIndex)}
                    strokeDasharray={l.dashed ? "5 3" : undefined}
                    dot={l.points.length <= 3}
                    strokeWidth={1.5}
                    isAnimationActive={false}
                    connectNulls={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <p className="sr-only" data-testid="chart-summary">
            {qosChartSummary(title, unit, lines)}
            {resets.length > 0 ? ` ${resets.length} counter ${resets.length === 1 ? "reset" : "resets"} marked.` : ""}
          </p>
        </>
      )}
    </figure>
  );
}
