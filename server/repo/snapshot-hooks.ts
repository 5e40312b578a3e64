import type { SectionName } from "@/server/contract/report";
import { recordSnapshotChange } from "@/server/repo/compliance";

/**
 * Called after each stored report whose sections changed: writes key-level drift for the changed sections
 * and re-evaluates the host's compliance (which writes the rule status changes). A compliance failure must
 * not fail the agent's report (it is already stored): it is logged, and the next read re-evaluates.
 */
export async function afterSnapshotChange(hostId: string, changed: SectionName[]): Promise<void> {
  try {
    await recordSnapshotChange(hostId, changed);
  } catch (err) {
    console.error(`compliance: re-evaluating host ${hostId} failed:`, err instanceof Error ? err.message : err);
  }
}
