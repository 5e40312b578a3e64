import { z } from "zod";

/** Keys that would poison an object's prototype if a payload were merged naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export const safeKey = z
  .string()
  .min(1)
  .max(256)
  .refine((k) => !FORBIDDEN_KEYS.has(k), { message: "forbidden key" });

/** A record with bounded size and no prototype keys. */
export function boundedRecord<T extends z.ZodType>(value: T, maxEntries = 4096) {
  return z
    .record(safeKey, value)
    .refine((r) => Object.keys(r).length <= maxEntries, { message: `more than ${maxEntries} entries` });
}

/** Kernel cpu-list text such as "0-3,8,10-11" (may be empty). */
export const cpuListText = z
  .string()
  .max(8192)
  .regex(/^$|^\d+(-\d+)?(:\d+\/\d+)?(,\d+(-\d+)?(:\d+\/\d+)?)*$/, { message: "not a cpu list" });

export const cpuIndex = z.number().int().min(0).max(65535);
export const cpuArray = z.array(cpuIndex).max(8192);

export const shortText = z.string().max(1024);
export const longText = z.string().max(65536);

/** Messages a collector attaches when it tolerated bad or missing fields one by one. */
export const warningsList = z.array(z.string().max(500)).max(51);

/** A non-negative integer counter or size as read from sysfs/procfs. */
export const countValue = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * What a string that reaches storage may be: well-formed Unicode (no lone UTF-16 surrogate: JSON
 * and PostgreSQL refuse those) without NUL (PostgreSQL text and jsonb cannot hold U+0000).
 * Returns what is wrong, or null. Most strings are plain text: one regex scan, detail only on a hit.
 */
const SUSPECT_CHAR = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function textProblem(s: string): string | null {
  if (!SUSPECT_CHAR.test(s)) return null;
  if (s.includes("\u0000")) return "contains NUL (U+0000), which cannot be stored";
  if (LONE_SURROGATE.test(s)) return "contains a lone UTF-16 surrogate (not well-formed Unicode)";
  return null;
}

/** Where the first unstorable string (value or key) in a JSON-like value is, or null. Bounded recursion: depth ≤ maxDepth. */
export function findUnstorableText(value: unknown, maxDepth = 64): { path: (string | number)[]; problem: string } | null {
  const path: (string | number)[] = [];
  const visit = (v: unknown, depth: number): string | null => {
    if (typeof v === "string") return textProblem(v);
    if (v === null || typeof v !== "object" || depth > maxDepth) return null;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const p = visit(v[i], depth + 1);
        if (p) return p;
        path.pop();
      }
      return null;
    }
    for (const key of Object.keys(v)) {
      path.push(key);
      const p = textProblem(key) ?? visit((v as Record<string, unknown>)[key], depth + 1);
      if (p) return p;
      path.pop();
    }
    return null;
  };
  const problem = visit(value, 0);
  return problem ? { path, problem } : null;
}

/** A string that may be stored (see textProblem). */
export const storableText = z.string().superRefine((s, ctx) => {
  const problem = textProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * The same rule over every string (and key) anywhere inside a schema's value, jsonb section data
 * included: one pass, the issue's path names the field. Wrap each contract entry point with it.
 */
export function storable<T extends z.ZodType>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const bad = findUnstorableText(value);
    if (bad) ctx.addIssue({ code: "custom", path: bad.path, message: bad.problem });
  }) as T;
}

/** How far a reported timestamp may stray from the server's clock: agents spool offline, clocks drift. */
export const TIMESTAMP_MAX_AGE_MS = 10 * 366 * 24 * 3600_000;
export const TIMESTAMP_MAX_AHEAD_MS = 24 * 3600_000;

let contractNow: () => number = Date.now;
/** Tests fix the clock the timestamp rule compares with (null restores the real one). */
export function setContractClock(now: (() => number) | null): void {
  contractNow = now ?? Date.now;
}

/**
 * An ISO-8601 UTC timestamp within [now − 10 years, now + 24 h] of the server's clock: refuses
 * "0000-01-01…", year 275760 and the like, which PostgreSQL or Date cannot hold.
 */
export const recentTimestamp = z.iso.datetime().superRefine((s, ctx) => {
  const t = Date.parse(s);
  const now = contractNow();
  if (!Number.isFinite(t)) ctx.addIssue({ code: "custom", message: "not a valid date" });
  else if (t > now + TIMESTAMP_MAX_AHEAD_MS) ctx.addIssue({ code: "custom", message: "more than 24 h ahead of the server's clock" });
  else if (t < now - TIMESTAMP_MAX_AGE_MS) ctx.addIssue({ code: "custom", message: "more than 10 years before the server's clock" });
});
