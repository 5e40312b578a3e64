import { migrateResultSchema, migrationPreflightSchema } from "@/server/contract/migration";
import { listMigrationResults } from "@/server/repo/jobs";

/** A VM's finished migrations with QEMU's total time and downtime, for the chart beside the 2 s / 10 ms lines. */
/** Only the charted figures: a result from an older agent missing other fields still charts. */
const chartedFields = migrateResultSchema.pick({ totalTimeMs: true, downtimeMs: true, verdict: true });

/** The pre-flight prediction the operator confirmed, from the migrate job's params (absent on older jobs and CLI runs). */
function predictedOf(params: Record<string, unknown> | null) {
  const preflight = migrationPreflightSchema.nullable().safeParse(params?.preflight ?? null);
  const p = preflight.success ? preflight.data?.prediction : null;
  return p ? { converges: p.converges, totalTimeMs: p.predictedTotalMs, downtimeMs: p.predictedDowntimeMs, message: p.message } : null;
}

export async function getMigrationHistory(hostId: string, vm: string) {
  const rows = await listMigrationResults(hostId, vm);
  return {
    points: rows.map((r) => {
      const result = chartedFields.safeParse(r.result);
      return {
        jobId: r.id,
        finishedAt: r.finishedAt,
        state: r.state,
        totalTimeMs: result.success ? result.data.totalTimeMs : null,
        downtimeMs: result.success ? result.data.downtimeMs : null,
        verdict: result.success ? result.data.verdict : null,
        predicted: predictedOf(r.params),
      };
    }),
  };
}
