"use client";

import { useState } from "react";
import { TrendCompareChart, type TrendPointView } from "./trend-chart";

const METRICS = [
  ["p50", "p50"],
  ["p99", "p99"],
  ["p9999", "p99.99"],
  ["max", "max"],
] as const;

/** The compare view's trend overlay with a metric switch. */
export function CompareTrends(props: { hosts: ReadonlyArray<{ name: string; points: readonly TrendPointView[] }>; sloUs: number | null; from: number; to: number }) {
  const [metric, setMetric] = useState<(typeof METRICS)[number][0]>("p9999");
  return (
    <div className="space-y-2">
      <div role="group" aria-label="Metric" className="flex gap-1 print:hidden">
        {METRICS.map(([k, label]) => (
          <button
            key={k}
            type="button"
            aria-pressed={metric === k}
            onClick={() => setMetric(k)}
            className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium aria-pressed:bg-sky-600 aria-pressed:text-white dark:border-slate-700"
          >
            {label}
          </button>
        ))}
      </div>
      <TrendCompareChart {...props} metric={metric} />
    </div>
  );
}
