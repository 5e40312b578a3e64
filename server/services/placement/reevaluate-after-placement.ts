import { evaluateHost } from "@/server/services/compliance/evaluate-host";

/**
 * Placing or unassigning changes what numa.vnf-locality judges: re-evaluate the host. The placement is
 * already committed, so a compliance failure is logged, never turned into a failed placement.
 */
export async function reevaluateAfterPlacement(hostId: string): Promise<void> {
  try {
    await evaluateHost({ hostId });
  } catch (err) {
    console.error(`compliance: re-evaluating host ${hostId} after a placement change failed:`, err instanceof Error ? err.message : err);
  }
}
