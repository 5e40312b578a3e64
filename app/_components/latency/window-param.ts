/** The report window in a URL (?window=24h|7d|30d, or ?from=…&to=… for a custom one). Pure. */
import { WINDOW_PRESETS, type WindowPreset, type WindowSpec } from "@/server/domain/latency/window";

export type WindowSearch = { window?: string | string[]; from?: string | string[]; to?: string | string[] };

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function windowFromSearch(sp: WindowSearch, fallback: WindowPreset = "24h"): { spec: WindowSpec; query: string; custom: boolean } {
  const from = first(sp.from);
  const to = first(sp.to);
  if (first(sp.window) === "custom" && from && to) {
    const f = new Date(from.length === 16 ? `${from}:00Z` : from);
    const t = new Date(to.length === 16 ? `${to}:00Z` : to);
    if (!Number.isNaN(f.getTime()) && !Number.isNaN(t.getTime()) && f < t) {
      return { spec: { from: f, to: t }, query: `window=custom&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, custom: true };
    }
  }
  const w = first(sp.window);
  const preset = (WINDOW_PRESETS as readonly string[]).includes(w ?? "") ? (w as WindowPreset) : fallback;
  return { spec: { preset }, query: `window=${preset}`, custom: false };
}
