import { migrateProgressSchema, migrateResultSchema, type MigrateProgress, type MigrateResult } from "@/server/contract/migration";

/** The job's progress/result JSON as migration shapes, or null when it is not one (yet). */
export function asMigrateProgress(v: unknown): MigrateProgress | null {
  const r = migrateProgressSchema.safeParse(v);
  return r.success ? r.data : null;
}

export function asMigrateResult(v: unknown): MigrateResult | null {
  const r = migrateResultSchema.safeParse(v);
  return r.success ? r.data : null;
}

export function fmtMs(v: number | null): string {
  if (v === null) return "—";
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

export function fmtBytes(v: number | null): string {
  if (v === null) return "—";
  if (v >= 1024 ** 3) return `${(v / 1024 ** 3).toFixed(2)} GiB`;
  if (v >= 1024 ** 2) return `${(v / 1024 ** 2).toFixed(1)} MiB`;
  if (v >= 1024) return `${(v / 1024).toFixed(0)} KiB`;
  return `${v} B`;
}

export function fmtRate(bytesPerS: number | null): string {
  return bytesPerS === null ? "—" : `${fmtBytes(bytesPerS)}/s`;
}
