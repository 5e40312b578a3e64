import type { RunSummary } from "@/server/contract/api/latency";
import { statsOfParts } from "@/server/domain/latency/stats";
import { requireHost } from "@/server/repo/hosts";
import { listRunSummaries, type StoredRunSummary } from "@/server/repo/latency-runs";

export function runSummaryOf({ part, ...r }: StoredRunSummary): RunSummary {
  return { ...r, stats: statsOfParts([part]) };
}

/** A host's runs, newest first. */
export async function listRuns(opts: { hostId: string; limit: number; before?: Date }): Promise<RunSummary[]> {
  await requireHost(opts.hostId);
  return (await listRunSummaries(opts.hostId, opts)).map(runSummaryOf);
}
