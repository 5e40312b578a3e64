import type { AnyTuneAction } from "@/agent/actions/tune/action";
import { cat } from "@/agent/actions/tune/cat";
import { cmdline } from "@/agent/actions/tune/cmdline";
import { cstates } from "@/agent/actions/tune/cstates";
import { governor } from "@/agent/actions/tune/governor";
import { hugepages } from "@/agent/actions/tune/hugepages";
import { irqAffinity } from "@/agent/actions/tune/irq-affinity";
import { irqbalanceBan } from "@/agent/actions/tune/irqbalance-ban";
import { sysctlSchedRtRuntimeUs } from "@/agent/actions/tune/sysctl-sched-rt-runtime-us";
import type { TuneActionId } from "@/server/contract/tuning";

/** The catalogue: one action per id (the ids compliance rules name as remediation). */
export const TUNE_ACTIONS: Record<TuneActionId, AnyTuneAction> = {
  "tune.cmdline": cmdline,
  "tune.governor": governor,
  "tune.irq-affinity": irqAffinity,
  "tune.irqbalance-ban": irqbalanceBan,
  "tune.sysctl.sched_rt_runtime_us": sysctlSchedRtRuntimeUs,
  "tune.cstates": cstates,
  "tune.hugepages": hugepages,
  "tune.cat": cat,
};
