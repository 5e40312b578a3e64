/**
 * The NFV fast live migration requirement (KVM4NFV "Fast Live Migration"): total time < 2 s and VM
 * downtime < 10 ms. A migration that did not complete fails the requirement whatever its figures.
 */
import type { MigrateResult } from "@/server/contract/migration";

export const MIGRATION_REQUIREMENT = { maxTotalMs: 2_000, maxDowntimeMs: 10 } as const;

/** The guide's published figures, to show beside ours (DPDK L2 forwarding guest). */
export const GUIDE_FIGURES = {
  baseline: { totalMs: 2271, downtimeMs: 26 },
  optimised: { totalMs: 654, downtimeMs: 5 },
} as const;

export type MigrationOutcome = Pick<MigrateResult, "status" | "totalTimeMs" | "downtimeMs">;

export function judgeMigration(outcome: MigrationOutcome): { verdict: "pass" | "fail"; reason: string } {
  const { maxTotalMs, maxDowntimeMs } = MIGRATION_REQUIREMENT;
  if (outcome.status !== "completed") return { verdict: "fail", reason: `migration ${outcome.status}` };
  if (outcome.totalTimeMs === null || outcome.downtimeMs === null) {
    return { verdict: "fail", reason: "QEMU reported no total time or downtime for the completed migration" };
  }
  const failures: string[] = [];
  if (!(outcome.totalTimeMs < maxTotalMs)) failures.push(`total ${outcome.totalTimeMs} ms ≥ ${maxTotalMs} ms`);
  if (!(outcome.downtimeMs < maxDowntimeMs)) failures.push(`downtime ${outcome.downtimeMs} ms ≥ ${maxDowntimeMs} ms`);
  if (failures.length > 0) return { verdict: "fail", reason: failures.join("; ") };
  return { verdict: "pass", reason: `total ${outcome.totalTimeMs} ms < ${maxTotalMs} ms, downtime ${outcome.downtimeMs} ms < ${maxDowntimeMs} ms` };
}
