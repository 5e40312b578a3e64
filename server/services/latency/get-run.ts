import type { RunDetail } from "@/server/contract/api/latency";
import { histogramEntries } from "@/server/domain/latency/histogram";
import { statsOfParts } from "@/server/domain/latency/stats";
import { DomainError } from "@/server/errors";
import { requireHost } from "@/server/repo/hosts";
import { findRunDetail } from "@/server/repo/latency-runs";
import { runSummaryOf } from "@/server/services/latency/list-runs";

/** One run with its threads; `{ hostId }` alone = that host's latest run (null when it has none). */
export async function getRun(q: { runId: string } | { hostId: string }): Promise<RunDetail | null> {
  if ("hostId" in q) await requireHost(q.hostId);
  const r = await findRunDetail(q);
  if (!r) {
    if ("runId" in q) throw new DomainError("NOT_FOUND", "no such latency run");
    return null;
  }
  const { hostname, cmdline, threads, ...summary } = r;
  return {
    ...runSummaryOf(summary),
    hostname,
    cmdline,
    threads: threads.map((t) => ({ thread: t.thread, cpu: t.cpu, histogram: histogramEntries(t.part.histogram), stats: statsOfParts([t.part]) })),
  };
}
