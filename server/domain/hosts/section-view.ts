import type { z } from "zod";

/**
 * What the UI can say about one stored report section:
 * - missing: the host never reported it
 * - unavailable: the source does not exist on that host (not an error)
 * - error: the collector failed on the host
 * - invalid: stored data no longer matches the current contract (an older agent), shown as such
 * - ok: data parsed against the contract
 */
export type SectionView<T> =
  | { state: "missing"; data: null; error: null; collectedAt: null }
  | { state: "unavailable" | "error" | "invalid"; data: null; error: string | null; collectedAt: Date }
  | { state: "ok"; data: T; error: null; collectedAt: Date };

export type StoredSectionRow = { ok: boolean; available: boolean; error: string | null; data: unknown; collectedAt: Date };

/** Reads a stored section defensively: never throws, whatever is in the Json column. */
export function sectionView<T>(schema: z.ZodType<T>, row: StoredSectionRow | undefined): SectionView<T> {
  if (!row) return { state: "missing", data: null, error: null, collectedAt: null };
  if (!row.ok) return { state: "error", data: null, error: row.error ?? "collector failed", collectedAt: row.collectedAt };
  if (!row.available || row.data === null || row.data === undefined) {
    return { state: "unavailable", data: null, error: null, collectedAt: row.collectedAt };
  }
  const parsed = schema.safeParse(row.data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.map(String).join(".") || "(root)"}: ${first.message}` : "unknown";
    return { state: "invalid", data: null, error: `stored data does not match the current schema (${where})`, collectedAt: row.collectedAt };
  }
  return { state: "ok", data: parsed.data, error: null, collectedAt: row.collectedAt };
}
