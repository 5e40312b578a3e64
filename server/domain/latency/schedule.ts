/** Per-host cyclictest schedule set by an operator, checked before it is stored and sent to the agent. */
import { CpuListError, formatCpuList, parseCpuList } from "@/server/domain/cpuset/cpuset";
import type { LatencyScheduleInput } from "@/server/contract/latency-schedule";
import { DomainError } from "@/server/errors";

/** Normalises the cpu list and checks the run fits its period (a run longer than its period would overlap the next). */
export function normaliseSchedule(s: LatencyScheduleInput): LatencyScheduleInput {
  let cpus: number[];
  try {
    cpus = parseCpuList(s.cpus);
  } catch (e) {
    if (e instanceof CpuListError) throw new DomainError("INVALID", `cpus: ${e.message}`);
    throw e;
  }
  if (s.enabled && cpus.length === 0) throw new DomainError("INVALID", "cpus: name at least one CPU to measure");
  if (s.durationS >= s.everyMinutes * 60) {
    throw new DomainError("INVALID", `duration ${s.durationS} s must be shorter than the period (${s.everyMinutes} min)`);
  }
  return { ...s, cpus: formatCpuList(cpus), load: s.load.trim() || "idle" };
}
