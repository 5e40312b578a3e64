/**
 * Text as the agent reports it. Real hosts hold odd bytes (a NUL in /proc/version, control characters
 * or Latin-1 in a DMI string, an emoji cut in half by a length limit); the server refuses strings that
 * PostgreSQL cannot store, so every string the agent sends passes through here first: lone UTF-16
 * surrogates become U+FFFD, NUL and the other C0 controls except tab and newline are removed.
 * (Invalid UTF-8 is already U+FFFD by then: HostFs decodes with replacement.) Pure.
 */

/** A character that needs work: a C0 control other than \t \n, or any surrogate (paired ones are then kept). */
const SUSPECT = /[\u0000-\u0008\u000b-\u001f\ud800-\udfff]/;
const C0_EXCEPT_TAB_NEWLINE = /[\u0000-\u0008\u000b-\u001f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Well-formed Unicode without NUL or C0 controls other than \t and \n. Unchanged (same string) when already clean. */
export function cleanText(s: string): string {
  if (!SUSPECT.test(s)) return s;
  return s.replace(C0_EXCEPT_TAB_NEWLINE, "").replace(LONE_SURROGATE, "\ufffd");
}

/** At most `max` UTF-16 code units, cut on a code-point boundary (never half a surrogate pair). */
export function clipText(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = max > 0 && /[\ud800-\udbff]/.test(s.charAt(max - 1)) ? max - 1 : max;
  return s.slice(0, Math.max(0, end));
}

/**
 * The same value with cleanText applied to every string and object key, at any depth. Returns the
 * very same value (no copy) when nothing needed cleaning, so the heartbeat's common case costs one
 * regex test per string.
 */
export function cleanStrings<T>(value: T): T {
  return cleanValue(value) as T;
}

function cleanValue(v: unknown): unknown {
  if (typeof v === "string") return cleanText(v);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const c = cleanValue(v[i]);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v; // Date, Buffer…: not text
  const entries = Object.entries(v as Record<string, unknown>);
  const cleaned = entries.map(([k, x]) => [cleanText(k), cleanValue(x)] as const);
  if (cleaned.every(([k, x], i) => k === entries[i]?.[0] && x === entries[i]?.[1])) return v;
  // define keys (never assign), so a "__proto__" key stays a plain key
  const rebuilt: Record<string, unknown> = {};
  for (const [k, x] of cleaned) Object.defineProperty(rebuilt, k, { value: x, enumerable: true, writable: true, configurable: true });
  return rebuilt;
}
