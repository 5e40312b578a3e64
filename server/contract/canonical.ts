import { createHash } from "node:crypto";

/** JSON with object keys sorted recursively, so equal content always gives equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, null));
}

function sortKeys(value: unknown, omit: ReadonlySet<string> | null): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, omit));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (omit?.has(key)) continue;
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v, omit);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 of the canonical JSON of a value: equal content, equal hash. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value ?? null));
}

/**
 * Leaves that move on their own from one heartbeat to the next — interrupt counters, free/reserved
 * hugepages — and so are not part of what a section *is*. Without this the irq section would hash
 * differently every 10 s: re-sent, rewritten and given a history row on every heartbeat.
 */
const VOLATILE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  irq: new Set(["total"]),
  hugepages: new Set(["free", "resv", "surplus"]),
};

/**
 * A section's identity hash, shared by agent and server: the agent sends a static section when it
 * changes, the server re-checks it and writes a history row when it differs from the stored one.
 * Volatile leaves (above) are left out; their latest values still travel in `data`.
 */
export function sectionHash(section: string, data: unknown): string {
  const omit = VOLATILE_KEYS[section];
  if (!omit || data === null || data === undefined) return contentHash(data);
  return sha256Hex(JSON.stringify(sortKeys(data, omit)));
}

/**
 * sectionHash plus the canonical JSON text of the data (volatile leaves included: what is stored), for a
 * receiver that both checks the hash and stores the data: the data is serialised once, not twice.
 */
export function sectionHashAndJson(section: string, data: unknown): { hash: string; json: string } {
  const json = canonicalJson(data ?? null);
  const omit = VOLATILE_KEYS[section];
  if (!omit || data === null || data === undefined) return { hash: sha256Hex(json), json };
  return { hash: sha256Hex(JSON.stringify(sortKeys(data, omit))), json };
}

/** True when sectionHash leaves something out for this section (its identity hash ≠ its content hash). */
export function hasVolatileKeys(section: string): boolean {
  return section in VOLATILE_KEYS;
}
