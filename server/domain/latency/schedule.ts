/** Per-host cyclictest schedule set by an operator, checked before it is stored and sent to the agent. */
import { CpuListError, formatCpuList, parseCpuList } from "@/server/domain/cpuset/cpuset";
import { DomainError } from "@/server/errors";

export interface LatencyScheduleInput {
  enabled: boolean;
  /** cpu list of the CPUs to measure ("2-5,8") */
  cpus: string;
  durationS: number;
  intervalUs: number;
  priority: number;
  histogramSize: number;
  everyMinutes: number;
  load: string;
}

export const DEFAULT_SCHEDULE: LatencyScheduleInput = {
  enabled: false,
  cpus: "",
  durationS: 60,
  intervalUs: 200,
  priority: 95,
  histogramSize: 400,
  everyMinutes: 5,
  load: "idle",
};

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
