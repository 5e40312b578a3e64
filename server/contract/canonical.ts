import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal content always hashes equal (shared by agent and server). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value ?? null)).digest("hex");
}
