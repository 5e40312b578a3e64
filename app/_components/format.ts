/** Display helpers shared by server and client components. Pure. */

const UNITS: readonly [limitSeconds: number, unitSeconds: number, unit: string][] = [
  [60, 1, "s"],
  [3600, 60, "min"],
  [86400, 3600, "h"],
  [86400 * 60, 86400, "d"],
  [Infinity, 86400 * 30, "mo"],
];

/**
 * "12 s ago", "3 min ago", "2 d ago"; "never" for null. Relative to `now`, never the clock, and
 * without Intl (Node's and the browser's ICU word things differently): SSR and hydration agree.
 */
export function formatRelativeTime(date: Date | null, now: Date): string {
  if (!date) return "never";
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return "just now";
  const [, unitSeconds, unit] = UNITS.find(([limit]) => abs < limit) ?? UNITS[UNITS.length - 1]!;
  const n = Math.floor(abs / unitSeconds);
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** Absolute UTC time for titles (stable across server and browser time zones). */
export function formatAbsoluteTime(date: Date | null): string {
  if (!date) return "never reported";
  return `${date.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "")} UTC`;
}

export function formatKb(kb: number | null): string {
  if (kb === null) return "—";
  if (kb >= 1024 * 1024 && kb % (1024 * 1024) === 0) return `${kb / (1024 * 1024)} GiB`;
  if (kb >= 1024) return `${Number.isInteger(kb / 1024) ? kb / 1024 : (kb / 1024).toFixed(1)} MiB`;
  return `${kb} KiB`;
}

/** "—" for missing values, so an empty cell never looks like a rendering bug. */
export function orDash(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === "" ? "—" : String(v);
}
