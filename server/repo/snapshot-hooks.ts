import type { SectionName } from "@/server/contract/report";

// PLACEHOLDER — the compliance owner re-evaluates the host and writes drift entries here.
export async function afterSnapshotChange(_hostId: string, _changed: SectionName[]): Promise<void> {}
