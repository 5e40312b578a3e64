import { createHash } from "node:crypto";

/** JSON with object keys sorted recursively, so equal content always gives equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Shared by agent and server. The section hash the server re-checks: sha256 of the canonical JSON of the section's data. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value ?? null));
}
