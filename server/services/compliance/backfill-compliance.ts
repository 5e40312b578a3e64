import { hostIdsWithoutResult } from "@/server/repo/compliance-results";
import { evaluateHost } from "@/server/services/compliance/evaluate-host";

/**
 * At start: evaluate hosts that have reported but have no stored result (reported before an upgrade, or an
 * evaluation that failed). Reads never evaluate. One host's failure is logged and does not stop the others.
 */
export async function backfillCompliance(opts: { limit?: number } = {}): Promise<{ evaluated: number; failed: number }> {
  let evaluated = 0;
  let failed = 0;
  for (const hostId of await hostIdsWithoutResult(opts.limit ?? 100_000)) {
    try {
      await evaluateHost({ hostId });
      evaluated++;
    } catch (err) {
      failed++;
      console.error(`compliance: evaluating host ${hostId} failed:`, err instanceof Error ? err.message : err);
    }
  }
  return { evaluated, failed };
}
