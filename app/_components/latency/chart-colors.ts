/** Series colours: distinguishable in light and dark mode, and in print. */
export const SERIES_COLORS = ["#0284c7", "#e11d48", "#16a34a", "#d97706", "#7c3aed", "#0d9488", "#db2777", "#4b5563"] as const;

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length] ?? "#0284c7";
}

/** Axis time labels in UTC (server and browser render the same text). */
export function formatUtcTick(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs <= 2 * 86_400_000) return iso.slice(11, 16);
  if (spanMs <= 8 * 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
  return iso.slice(5, 10);
}

/** Compact counts for a log axis: 1200 → "1.2k", 300000000 → "300M". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${Number((n / 1e9).toPrecision(3))}G`;
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(n);
}
