/** Series colours: distinguishable in light and dark mode, and in print. */
export const SERIES_COLORS = ["#0284c7", "#e11d48", "#16a34a", "#d97706", "#7c3aed", "#0d9488", "#db2777", "#4b5563"] as const;

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length] ?? "#0284c7";
}

/** Axis time labels in UTC (server and browser render the same text). */
export function formatUtcTick(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs <= 2 * 86_400_000 ? iso.slice(11, 16) : iso.slice(5, 10);
}
