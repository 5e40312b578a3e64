import { z } from "zod";
import { cpuArray, shortText, warningsList } from "../common";

export const idleState = z
  .object({
    index: z.number().int().nonnegative().max(64),
    name: z.string().max(64),
    desc: z.string().max(256).nullable(),
    latencyUs: z.number().int().nonnegative().nullable(),
    residencyUs: z.number().int().nonnegative().nullable(),
    /** cpuidle stateK/disable = 1 */
    disabled: z.boolean().nullable(),
  })
  .strict();

/** CPUs that share identical idle-state settings (per-CPU information stays recoverable through `cpus`). */
export const idleGroup = z.object({ cpus: cpuArray, states: z.array(idleState).max(64) }).strict();

/** CPUs that share identical cpufreq settings. */
export const cpufreqGroup = z
  .object({
    cpus: cpuArray,
    driver: shortText.nullable(),
    governor: shortText.nullable(),
    minKhz: z.number().int().nonnegative().nullable(),
    maxKhz: z.number().int().nonnegative().nullable(),
    hwMaxKhz: z.number().int().nonnegative().nullable(),
    epp: shortText.nullable(),
  })
  .strict();

export const powerSection = z
  .object({
    cpuidle: z
      .object({
        driver: shortText.nullable(),
        governor: shortText.nullable(),
        groups: z.array(idleGroup).max(8192),
        /** CPUs with no cpuidle states in sysfs */
        cpusWithoutStates: cpuArray,
      })
      .strict(),
    cpufreq: z
      .object({ groups: z.array(cpufreqGroup).max(8192), cpusWithoutCpufreq: cpuArray })
      .strict(),
    turbo: z
      .object({
        /** intel_pstate/no_turbo, else cpufreq/boost, else none (e.g. a VM) */
        source: z.enum(["intel_pstate", "cpufreq_boost", "none"]),
        enabled: z.boolean().nullable(),
      })
      .strict(),
    intelPstate: z
      .object({
        status: shortText.nullable(),
        noTurbo: z.boolean().nullable(),
        minPerfPct: z.number().int().nullable(),
        maxPerfPct: z.number().int().nullable(),
      })
      .strict()
      .nullable(),
    smt: z.object({ active: z.boolean().nullable(), control: shortText.nullable() }).strict(),
    warnings: warningsList,
  })
  .strict();
export type PowerSection = z.infer<typeof powerSection>;
