import type { HostFs } from "@/agent/hostfs";
import type { PowerSection } from "@/server/contract/sections/power";
import { indexedEntries, parseBoolValue, parseIntValue, parseWordValue, Warnings } from "@/agent/collectors/values";

const CPU_DIR = "sys/devices/system/cpu";

export interface RawIdleState {
  index: number;
  name: string | null;
  desc: string | null;
  latency: string | null;
  residency: string | null;
  disable: string | null;
}

export interface RawCpuPower {
  cpu: number;
  idleStates: RawIdleState[];
  cpufreq: {
    driver: string | null;
    governor: string | null;
    minFreq: string | null;
    maxFreq: string | null;
    hwMaxFreq: string | null;
    epp: string | null;
  } | null;
}

export interface RawPower {
  cpuidleDriver: string | null;
  cpuidleGovernor: string | null;
  cpus: RawCpuPower[];
  intelPstate: { status: string | null; noTurbo: string | null; minPerfPct: string | null; maxPerfPct: string | null } | null;
  cpufreqBoost: string | null;
  smtActive: string | null;
  smtControl: string | null;
}

/** Group CPUs whose value (compared as canonical JSON) is identical, in CPU order. */
export function groupByValue<T>(items: { cpu: number; value: T }[]): { cpus: number[]; value: T }[] {
  const groups = new Map<string, { cpus: number[]; value: T }>();
  for (const item of [...items].sort((a, b) => a.cpu - b.cpu)) {
    const key = JSON.stringify(item.value);
    const g = groups.get(key);
    if (g) g.cpus.push(item.cpu);
    else groups.set(key, { cpus: [item.cpu], value: item.value });
  }
  return [...groups.values()];
}

/** Build the power section (pure). */
export function parsePower(raw: RawPower): PowerSection {
  const warnings = new Warnings();
  const nonNegative = (text: string | null, what: string): number | null => {
    if (text === null) return null;
    const n = parseIntValue(text);
    if (n === null || n < 0) {
      warnings.add(`${what}: not a number: ${JSON.stringify(text.trim().slice(0, 40))}`);
      return null;
    }
    return n;
  };
  const withStates = raw.cpus.filter((c) => c.idleStates.length > 0);
  const idleGroups = groupByValue(
    withStates.map((c) => ({
      cpu: c.cpu,
      value: c.idleStates.map((s) => ({
        index: s.index,
        name: parseWordValue(s.name, 64) ?? `state${s.index}`,
        desc: parseWordValue(s.desc, 256),
        latencyUs: nonNegative(s.latency, `cpu${c.cpu}/cpuidle/state${s.index}/latency`),
        residencyUs: nonNegative(s.residency, `cpu${c.cpu}/cpuidle/state${s.index}/residency`),
        disabled: parseBoolValue(s.disable),
      })),
    })),
  ).map((g) => ({ cpus: g.cpus, states: g.value }));

  const withFreq = raw.cpus.filter((c) => c.cpufreq !== null);
  const freqGroups = groupByValue(
    withFreq.map((c) => {
      const f = c.cpufreq!;
      return {
        cpu: c.cpu,
        value: {
          driver: parseWordValue(f.driver),
          governor: parseWordValue(f.governor),
          minKhz: nonNegative(f.minFreq, `cpu${c.cpu}/cpufreq/scaling_min_freq`),
          maxKhz: nonNegative(f.maxFreq, `cpu${c.cpu}/cpufreq/scaling_max_freq`),
          hwMaxKhz: nonNegative(f.hwMaxFreq, `cpu${c.cpu}/cpufreq/cpuinfo_max_freq`),
          epp: parseWordValue(f.epp),
        },
      };
    }),
  ).map((g) => ({ cpus: g.cpus, ...g.value }));

  // Turbo: intel_pstate/no_turbo (1 = turbo off) wins; else the generic cpufreq/boost (1 = on); else none.
  let turbo: PowerSection["turbo"] = { source: "none", enabled: null };
  const noTurbo = raw.intelPstate ? parseBoolValue(raw.intelPstate.noTurbo) : null;
  if (raw.intelPstate && raw.intelPstate.noTurbo !== null) {
    turbo = { source: "intel_pstate", enabled: noTurbo === null ? null : !noTurbo };
  } else if (raw.cpufreqBoost !== null) {
    turbo = { source: "cpufreq_boost", enabled: parseBoolValue(raw.cpufreqBoost) };
  }

  return {
    cpuidle: {
      driver: parseWordValue(raw.cpuidleDriver),
      governor: parseWordValue(raw.cpuidleGovernor),
      groups: idleGroups,
      cpusWithoutStates: raw.cpus.filter((c) => c.idleStates.length === 0).map((c) => c.cpu),
    },
    cpufreq: { groups: freqGroups, cpusWithoutCpufreq: raw.cpus.filter((c) => c.cpufreq === null).map((c) => c.cpu) },
    turbo,
    intelPstate: raw.intelPstate
      ? {
          status: parseWordValue(raw.intelPstate.status),
          noTurbo,
          minPerfPct: parseIntValue(raw.intelPstate.minPerfPct),
          maxPerfPct: parseIntValue(raw.intelPstate.maxPerfPct),
        }
      : null,
    smt: { active: parseBoolValue(raw.smtActive), control: parseWordValue(raw.smtControl) },
    warnings: warnings.items,
  };
}

export async function readRawPower(fs: HostFs): Promise<RawPower> {
  const cpus: RawCpuPower[] = [];
  for (const cpu of indexedEntries(await fs.listDir(CPU_DIR), "cpu")) {
    const base = `${CPU_DIR}/cpu${cpu}`;
    const idleStates: RawIdleState[] = [];
    for (const index of indexedEntries(await fs.listDir(`${base}/cpuidle`), "state")) {
      const dir = `${base}/cpuidle/state${index}`;
      idleStates.push({
        index,
        name: await fs.readText(`${dir}/name`),
        desc: await fs.readText(`${dir}/desc`),
        latency: await fs.readText(`${dir}/latency`),
        residency: await fs.readText(`${dir}/residency`),
        disable: await fs.readText(`${dir}/disable`),
      });
    }
    const f = `${base}/cpufreq`;
    const driver = await fs.readText(`${f}/scaling_driver`);
    const governor = await fs.readText(`${f}/scaling_governor`);
    cpus.push({
      cpu,
      idleStates,
      cpufreq:
        driver === null && governor === null
          ? null
          : {
              driver,
              governor,
              minFreq: await fs.readText(`${f}/scaling_min_freq`),
              maxFreq: await fs.readText(`${f}/scaling_max_freq`),
              hwMaxFreq: await fs.readText(`${f}/cpuinfo_max_freq`),
              epp: await fs.readText(`${f}/energy_performance_preference`),
            },
    });
  }
  const p = `${CPU_DIR}/intel_pstate`;
  const status = await fs.readText(`${p}/status`);
  const noTurbo = await fs.readText(`${p}/no_turbo`);
  return {
    cpuidleDriver: await fs.readText(`${CPU_DIR}/cpuidle/current_driver`),
    cpuidleGovernor: (await fs.readText(`${CPU_DIR}/cpuidle/current_governor_ro`)) ?? (await fs.readText(`${CPU_DIR}/cpuidle/current_governor`)),
    cpus,
    intelPstate:
      status === null && noTurbo === null
        ? null
        : {
            status,
            noTurbo,
            minPerfPct: await fs.readText(`${p}/min_perf_pct`),
            maxPerfPct: await fs.readText(`${p}/max_perf_pct`),
          },
    cpufreqBoost: await fs.readText(`${CPU_DIR}/cpufreq/boost`),
    smtActive: await fs.readText(`${CPU_DIR}/smt/active`),
    smtControl: await fs.readText(`${CPU_DIR}/smt/control`),
  };
}

/** Power section, or null when the tree has no CPU directories. */
export async function read(fs: HostFs): Promise<PowerSection | null> {
  const raw = await readRawPower(fs);
  if (raw.cpus.length === 0) return null;
  return parsePower(raw);
}
