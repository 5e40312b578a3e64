/**
 * Section data the agent API has accepted before, remembered by the sha256 of its JSON text.
 *
 * An agent re-sends sections that did not change (every section on its first report after a restart or an
 * upgrade, all of them beside the one that changed), and hosts of one model send the same ones. Parsing a
 * section with its zod schema and computing its identity hash are most of a full report's validation cost
 * (≈ 1.4 ms for a 26 KB report), so a value whose JSON text was accepted before is not parsed again: the
 * same text is the same value, and only a value the schema gave back unchanged (these section schemas are
 * strict and transform-free; the output is re-serialised and compared to make sure) is remembered.
 * Only plain JSON values (what JSON.parse makes: no class instances, no non-finite numbers) qualify, so the
 * text is a faithful key; anything else is parsed as usual, every time. The memory is bounded (LRU).
 */
import { hash } from "node:crypto";
import { z } from "zod";
import { sectionHash } from "./canonical";

/** ≈ 200 bytes each: 50,000 entries ≈ 10 MB, 2.5 distinct sections per host of a 20,000-host lab. */
const MAX_ENTRIES = 50_000;
const MAX_DEPTH = 64;

/** `${section}:${sha256 of JSON text}` → the section's identity hash, least recently used first. */
const accepted = new Map<string, string>();
/** The data objects of the reports being handled now → their JSON text and identity hash. */
const known = new WeakMap<object, { json: string; hash: string }>();

function isPlainJson(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v);
    case "object":
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(v)) if (!isPlainJson((v as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

function remember(key: string, identity: string): void {
  accepted.set(key, identity);
  if (accepted.size > MAX_ENTRIES) {
    const oldest = accepted.keys().next();
    if (!oldest.done) accepted.delete(oldest.value);
  }
}

/**
 * `schema` (a section's data schema), except that a plain JSON value whose text it accepted before is
 * accepted again without parsing. Refusals are the schema's own issues, at the same paths.
 */
export function acceptedOnce<T extends z.ZodType>(section: string, schema: T): T {
  const memoised = z.unknown().transform((value, ctx) => {
    const plain = value !== null && typeof value === "object" && isPlainJson(value, 0);
    const json = plain ? JSON.stringify(value) : null;
    const key = json === null ? null : `${section}:${hash("sha256", json)}`;
    if (key !== null && json !== null) {
      const identity = accepted.get(key);
      if (identity !== undefined) {
        accepted.delete(key);
        accepted.set(key, identity);
        known.set(value as object, { json, hash: identity });
        return value as z.output<T>;
      }
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    const data: unknown = result.data;
    if (key !== null && json !== null && data !== null && typeof data === "object" && JSON.stringify(data) === json) {
      const identity = sectionHash(section, data);
      remember(key, identity);
      known.set(data, { json, hash: identity });
    }
    return result.data as z.output<T>;
  });
  // the wrapper's input and output are the schema's (it parses with it); zod cannot infer that through a transform
  return memoised as unknown as T;
}

/**
 * The JSON text and identity hash of a section's data that `acceptedOnce` parsed or recognised in this
 * process (null for anything else: the caller computes them).
 */
export function acceptedSectionText(data: unknown): { json: string; hash: string } | null {
  return data !== null && typeof data === "object" ? (known.get(data) ?? null) : null;
}

/** How many distinct section values are remembered (tests, bench). */
export function acceptedSectionCount(): number {
  return accepted.size;
}
