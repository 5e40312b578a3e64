import { gunzipSync } from "node:zlib";
import type { HostFs } from "@/agent/hostfs";
import { parseCpuList, parseCpuMask, subtractCpus, tryParseCpuList, unionCpus } from "@/server/domain/cpuset/cpuset";
import type { KernelCmdline, KernelSection } from "@/server/contract/sections/kernel";
import { indexedEntries, parseIntValue, parseWordValue, Warnings } from "@/agent/collectors/values";

export interface CmdlineParam {
  key: string;
  value: string | null;
}

/**
 * Split a kernel command line into parameters, honouring double quotes (param="a b").
 * Stops at a bare "--": what follows is passed to init, not kernel parameters.
 */
export function parseCmdlineParams(text: string): CmdlineParam[] {
  const params: CmdlineParam[] = [];
  const tokens: string[] = [];
  let current = "";
  let inQuote = false;
  let hasToken = false;
  for (const ch of text) {
    if (ch === '"') {
      inQuote = !inQuote;
      hasToken = true;
      continue;
    }
    if (!inQuote && /\s/.test(ch)) {
      if (hasToken) tokens.push(current);
      current = "";
      hasToken = false;
      continue;
    }
    current += ch;
    hasToken = true;
  }
  if (hasToken) tokens.push(current);
  for (const token of tokens) {
    if (token === "--") break;
    const eq = token.indexOf("=");
    if (eq === 0) continue;
    params.push(eq < 0 ? { key: token, value: null } : { key: token.slice(0, eq), value: token.slice(eq + 1) });
  }
  return params;
}

/** A cpu-list value; "(null)" and empty mean the empty set. null cpus = not a cpu list (truncated, garbage). */
export function parseCpuListValue(raw: string): { raw: string; cpus: number[] | null } {
  const t = raw.trim();
  if (t === "(null)") return { raw, cpus: [] };
  return { raw, cpus: tryParseCpuList(t) };
}

/**
 * isolcpus=[flag,...,]cpu-list, e.g. "managed_irq,domain,2-5" → flags [managed_irq, domain], cpus [2,3,4,5].
 * Flags are the leading comma-separated words that do not start with a digit.
 */
export function parseIsolcpus(raw: string): { flags: string[]; cpus: number[] | null } {
  const parts = raw.trim().split(",");
  const flags: string[] = [];
  let i = 0;
  while (i < parts.length && /^[a-z_]+$/i.test(parts[i] as string)) flags.push(parts[i++] as string);
  const rest = parts.slice(i).join(",");
  return { flags, cpus: tryParseCpuList(rest) };
}

function lastValue(params: CmdlineParam[], key: string): string | null | undefined {
  let found: string | null | undefined;
  for (const p of params) if (p.key === key) found = p.value;
  return found;
}

/** Parse /proc/cmdline text into the tuning-relevant parameters (pure). The last occurrence of a key wins. */
export function parseCmdline(text: string): KernelCmdline {
  const raw = text.replace(/\0/g, " ").trim();
  const params = parseCmdlineParams(raw);
  const str = (key: string): string | null => {
    const v = lastValue(params, key);
    return v === undefined ? null : (v ?? "");
  };
  const cpuParam = (key: string) => {
    const v = lastValue(params, key);
    if (v === undefined) return null;
    // A bare flag (rcu_nocbs with no list) names no CPUs.
    return v === null ? { raw: "", cpus: [] } : parseCpuListValue(v);
  };
  const isolRaw = lastValue(params, "isolcpus");
  const isol = isolRaw === undefined || isolRaw === null ? null : { ...parseIsolcpus(isolRaw), raw: isolRaw };
  return {
    raw: raw.slice(0, 65536),
    params: params.slice(0, 1024).map((p) => ({ key: p.key.slice(0, 256), value: p.value === null ? null : p.value.slice(0, 8192) })),
    isolcpus: isol === null ? null : { flags: isol.flags, cpus: isol.cpus ?? [], raw: isol.raw },
    nohzFull: cpuParam("nohz_full"),
    rcuNocbs: cpuParam("rcu_nocbs"),
    irqaffinity: cpuParam("irqaffinity"),
    iommu: str("iommu"),
    intelIommu: str("intel_iommu"),
    amdIommu: str("amd_iommu"),
    defaultHugepagesz: str("default_hugepagesz"),
    hugepagesz: params.filter((p) => p.key === "hugepagesz").map((p) => p.value ?? ""),
    hugepages: params.filter((p) => p.key === "hugepages").map((p) => p.value ?? ""),
    idle: str("idle"),
    tsc: str("tsc"),
    intelPstate: str("intel_pstate"),
    processorMaxCstate: str("processor.max_cstate"),
    intelIdleMaxCstate: str("intel_idle.max_cstate"),
    mce: str("mce"),
    nosoftlockup: params.some((p) => p.key === "nosoftlockup"),
    nmiWatchdog: str("nmi_watchdog"),
    skewTick: str("skew_tick"),
    transparentHugepage: str("transparent_hugepage"),
  };
}

/** A sysfs cpu-list file such as cpu/isolated or cpu/nohz_full: "(null)" or empty → []; garbage → null. */
export function parseSysCpuList(text: string | null): number[] | null {
  if (text === null) return null;
  return parseCpuListValue(text).cpus;
}

/**
 * The isolated set the agent must keep off: the union of isolcpus, nohz_full and rcu_nocbs on the command
 * line and the kernel's own /sys/devices/system/cpu/{isolated,nohz_full}. Not from `isolated` alone: it
 * omits nohz_full-only CPUs and managed_irq-only isolation. Pure; unreadable parts count as empty.
 */
export function computeIsolatedCpus(input: {
  cmdline: string | null;
  sysIsolated: string | null;
  sysNohzFull: string | null;
}): number[] {
  const cmd = input.cmdline === null ? null : parseCmdline(input.cmdline);
  return unionCpus(
    cmd?.isolcpus?.cpus ?? [],
    cmd?.nohzFull?.cpus ?? [],
    cmd?.rcuNocbs?.cpus ?? [],
    parseSysCpuList(input.sysIsolated) ?? [],
    parseSysCpuList(input.sysNohzFull) ?? [],
  );
}

/** online − isolated. */
export function computeHousekeepingCpus(online: readonly number[], isolated: readonly number[]): number[] {
  return subtractCpus(online, isolated);
}

/** Read the three sources and compute the isolated set (used by the agent to pin itself to housekeeping CPUs). */
export async function readIsolatedCpus(fs: HostFs): Promise<{ isolated: number[]; online: number[]; housekeeping: number[] }> {
  const isolated = computeIsolatedCpus({
    cmdline: await fs.readText("proc/cmdline"),
    sysIsolated: await fs.readText("sys/devices/system/cpu/isolated"),
    sysNohzFull: await fs.readText("sys/devices/system/cpu/nohz_full"),
  });
  const online = tryParseCpuList((await fs.readText("sys/devices/system/cpu/online")) ?? "") ?? [];
  return { isolated, online, housekeeping: computeHousekeepingCpus(online, isolated) };
}

/** The bracketed choice of a sysfs selector: "always [madvise] never" → "madvise". */
export function parseBracketChoice(text: string | null): string | null {
  if (text === null) return null;
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? (m[1] as string).trim() : null;
}

/** KEY=VALUE lines of a shell-style config file (etc/default/irqbalance); comments and quotes removed. */
export function parseShellAssignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] as string).trim();
    const quoted = /^"([^"]*)"|^'([^']*)'/.exec(value);
    if (quoted) value = quoted[1] ?? quoted[2] ?? "";
    else value = value.replace(/\s+#.*$/, "").trim();
    out.set(m[1] as string, value);
  }
  return out;
}

/** NUL-separated /proc/<pid>/environ → map. */
export function parseEnviron(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) out.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return out;
}

/** irqbalance's ban from its variables: IRQBALANCE_BANNED_CPULIST (cpu list) wins over IRQBALANCE_BANNED_CPUS (hex mask). */
export function bannedCpusFromVars(vars: Map<string, string>): { cpus: number[]; variable: string } | null {
  const list = vars.get("IRQBALANCE_BANNED_CPULIST");
  if (list !== undefined && list.trim() !== "") {
    return { cpus: parseCpuList(list), variable: "IRQBALANCE_BANNED_CPULIST" };
  }
  const mask = vars.get("IRQBALANCE_BANNED_CPUS");
  if (mask !== undefined && mask.trim() !== "") return { cpus: parseCpuMask(mask), variable: "IRQBALANCE_BANNED_CPUS" };
  return null;
}

export function parsePreemptModel(version: string | null): KernelSection["preemptModel"] {
  if (version === null) return null;
  if (/PREEMPT[_ ]RT/.test(version)) return "PREEMPT_RT";
  if (/PREEMPT_DYNAMIC/.test(version)) return "PREEMPT_DYNAMIC";
  if (/\bPREEMPT\b/.test(version)) return "PREEMPT";
  return "NONE";
}

/** CONFIG_NO_HZ_FULL from a kernel .config text: true/false. */
export function configHasNohzFull(configText: string): boolean {
  return /^CONFIG_NO_HZ_FULL=y\s*$/m.test(configText);
}

export interface RawKernel {
  cmdline: string | null;
  osrelease: string | null;
  version: string | null;
  realtime: string | null;
  sysIsolated: string | null;
  sysNohzFull: string | null;
  online: string | null;
  /**
   * CONFIG_NO_HZ_FULL=y in the kernel .config (/boot/config-<release>, else /proc/config.gz); null when
   * neither is readable. Read only when cpu/nohz_full is absent.
   */
  nohzFullConfig: boolean | null;
  clocksourceCurrent: string | null;
  clocksourceAvailable: string | null;
  schedRtRuntimeUs: string | null;
  schedRtPeriodUs: string | null;
  timerMigration: string | null;
  numaBalancing: string | null;
  nmiWatchdog: string | null;
  thpEnabled: string | null;
  thpDefrag: string | null;
  irqbalancePids: number[];
  /** environ of the first irqbalance process, when readable */
  irqbalanceEnviron: string | null;
  irqbalanceConfig: { source: string; text: string } | null;
}

/** Build the kernel section from raw file text (pure). */
export function parseKernel(raw: RawKernel): KernelSection {
  const warnings = new Warnings();
  const cmdline = raw.cmdline === null ? null : parseCmdline(raw.cmdline);
  if (cmdline) {
    for (const [name, p] of [["nohz_full", cmdline.nohzFull], ["rcu_nocbs", cmdline.rcuNocbs], ["irqaffinity", cmdline.irqaffinity]] as const) {
      if (p && p.cpus === null) warnings.add(`cmdline ${name}=${p.raw.slice(0, 80)} is not a cpu list`);
    }
    if (cmdline.isolcpus && parseIsolcpus(cmdline.isolcpus.raw).cpus === null) {
      warnings.add(`cmdline isolcpus=${cmdline.isolcpus.raw.slice(0, 80)} is not a cpu list`);
    }
  }
  const sysIsolated = parseSysCpuList(raw.sysIsolated);
  if (raw.sysIsolated !== null && sysIsolated === null) warnings.add("cpu/isolated is not a cpu list");
  const sysNohzFull = parseSysCpuList(raw.sysNohzFull);
  if (raw.sysNohzFull !== null && sysNohzFull === null) warnings.add("cpu/nohz_full is not a cpu list");
  const online = tryParseCpuList(raw.online ?? "") ?? [];
  if (raw.online !== null && tryParseCpuList(raw.online) === null) warnings.add("cpu/online is not a cpu list");

  const isolatedCpus = computeIsolatedCpus({ cmdline: raw.cmdline, sysIsolated: raw.sysIsolated, sysNohzFull: raw.sysNohzFull });

  let banned: { cpus: number[]; source: string } | null = null;
  const fromEnv = raw.irqbalanceEnviron === null ? null : safeBan(parseEnviron(raw.irqbalanceEnviron), "process environ", warnings);
  if (fromEnv) banned = { cpus: fromEnv.cpus, source: `proc/${raw.irqbalancePids[0] ?? "?"}/environ:${fromEnv.variable}` };
  else if (raw.irqbalanceConfig) {
    const fromFile = safeBan(parseShellAssignments(raw.irqbalanceConfig.text), raw.irqbalanceConfig.source, warnings);
    if (fromFile) banned = { cpus: fromFile.cpus, source: `${raw.irqbalanceConfig.source}:${fromFile.variable}` };
  }

  let nohzFullSupported: boolean | null = null;
  if (raw.sysNohzFull !== null) nohzFullSupported = true;
  else if (raw.nohzFullConfig !== null) nohzFullSupported = raw.nohzFullConfig;

  const version = parseWordValue(raw.version);
  const thpEnabled = parseBracketChoice(raw.thpEnabled);
  return {
    release: parseWordValue(raw.osrelease),
    version,
    preemptRt: raw.realtime?.trim() === "1" || parsePreemptModel(version) === "PREEMPT_RT",
    preemptModel: parsePreemptModel(version),
    cmdline,
    sysIsolated,
    sysNohzFull,
    nohzFullSupported,
    clocksource:
      raw.clocksourceCurrent === null && raw.clocksourceAvailable === null
        ? null
        : {
            current: parseWordValue(raw.clocksourceCurrent),
            available: (raw.clocksourceAvailable ?? "").trim().split(/\s+/).filter((s) => s !== "").slice(0, 64).map((s) => s.slice(0, 64)),
          },
    sysctl: {
      schedRtRuntimeUs: parseIntValue(raw.schedRtRuntimeUs),
      schedRtPeriodUs: parseIntValue(raw.schedRtPeriodUs),
      timerMigration: parseIntValue(raw.timerMigration),
      numaBalancing: parseIntValue(raw.numaBalancing),
      nmiWatchdog: parseIntValue(raw.nmiWatchdog),
    },
    thp: {
      enabled: thpEnabled === "always" || thpEnabled === "madvise" || thpEnabled === "never" ? thpEnabled : null,
      defrag: parseBracketChoice(raw.thpDefrag),
    },
    irqbalance: {
      running: raw.irqbalancePids.length > 0,
      pids: raw.irqbalancePids.slice(0, 64),
      bannedCpus: banned?.cpus ?? null,
      bannedSource: banned?.source ?? null,
    },
    onlineCpus: online,
    isolatedCpus,
    housekeepingCpus: computeHousekeepingCpus(online, isolatedCpus),
    warnings: warnings.items,
  };
}

function safeBan(vars: Map<string, string>, where: string, warnings: Warnings) {
  try {
    return bannedCpusFromVars(vars);
  } catch (err) {
    warnings.add(`irqbalance ban in ${where}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

const IRQBALANCE_CONFIGS = ["etc/default/irqbalance", "etc/sysconfig/irqbalance"];

/** PIDs whose comm is `comm` (a scan of every /proc/<pid>/comm). */
export async function findProcesses(fs: HostFs, comm: string): Promise<number[]> {
  const pids = indexedEntries(await fs.listDir("proc"), "");
  const found: number[] = [];
  for (const pid of pids) {
    const text = await fs.readTextOptional(`proc/${pid}/comm`);
    if (text !== null && text.trim() === comm) found.push(pid);
  }
  return found;
}

/**
 * irqbalance PIDs last found, per root. Scanning every /proc/<pid>/comm costs a read per process (thousands
 * on a busy host); while the found process still has that comm, it is the same daemon: re-check only it.
 * Nothing found is not cached (a started irqbalance is seen at the next collection).
 */
const knownProcesses = new Map<string, number[]>();

/** Like findProcesses, but re-checks the PIDs found last time first and scans only when they are gone. */
export async function findProcessesCached(fs: HostFs, comm: string): Promise<number[]> {
  const key = `${fs.root}\0${comm}`;
  const known = knownProcesses.get(key);
  if (known !== undefined && known.length > 0) {
    const alive: number[] = [];
    for (const pid of known) if ((await fs.readTextOptional(`proc/${pid}/comm`))?.trim() === comm) alive.push(pid);
    if (alive.length === known.length) return alive;
  }
  const found = await findProcesses(fs, comm);
  if (found.length > 0) knownProcesses.set(key, found);
  else knownProcesses.delete(key);
  return found;
}

/**
 * The last /proc/config.gz seen and its NO_HZ_FULL verdict. The config changes only with a reboot, and
 * gunzipping ~25 KB into ~250 KB of text was the kernel collector's dearest step: compare the compressed
 * bytes (cheap) and decompress only when they differ.
 */
let lastConfigGz: { root: string; gz: Buffer; nohzFull: boolean | null } | null = null;

/**
 * CONFIG_NO_HZ_FULL=y in the running kernel's .config: /boot/config-<release>, else the gzipped
 * /proc/config.gz (CONFIG_IKCONFIG_PROC); null when neither is readable.
 */
export async function readNohzFullConfig(fs: HostFs, release: string): Promise<boolean | null> {
  if (/^[A-Za-z0-9._+-]+$/.test(release)) {
    const boot = await fs.readTextOptional(`boot/config-${release}`);
    if (boot !== null) return configHasNohzFull(boot);
  }
  const gz = await fs.readBytes("proc/config.gz").catch(() => null);
  if (gz === null) return null;
  if (lastConfigGz !== null && lastConfigGz.root === fs.root && lastConfigGz.gz.equals(gz)) return lastConfigGz.nohzFull;
  let nohzFull: boolean | null;
  try {
    nohzFull = configHasNohzFull(gunzipSync(gz).toString("utf8"));
  } catch {
    nohzFull = null;
  }
  lastConfigGz = { root: fs.root, gz, nohzFull };
  return nohzFull;
}

export async function readRawKernel(fs: HostFs): Promise<RawKernel> {
  const osrelease = await fs.readText("proc/sys/kernel/osrelease");
  const release = osrelease?.trim() ?? "";
  const pids = await findProcessesCached(fs, "irqbalance");
  let irqbalanceConfig: RawKernel["irqbalanceConfig"] = null;
  for (const source of IRQBALANCE_CONFIGS) {
    const text = await fs.readTextOptional(source);
    if (text !== null) {
      irqbalanceConfig = { source, text };
      break;
    }
  }
  const firstPid = pids[0];
  const sysNohzFull = await fs.readText("sys/devices/system/cpu/nohz_full");
  return {
    cmdline: await fs.readText("proc/cmdline"),
    osrelease,
    version: await fs.readText("proc/version"),
    realtime: await fs.readText("sys/kernel/realtime"),
    sysIsolated: await fs.readText("sys/devices/system/cpu/isolated"),
    sysNohzFull,
    online: await fs.readText("sys/devices/system/cpu/online"),
    nohzFullConfig: sysNohzFull === null ? await readNohzFullConfig(fs, release) : null,
    clocksourceCurrent: await fs.readText("sys/devices/system/clocksource/clocksource0/current_clocksource"),
    clocksourceAvailable: await fs.readText("sys/devices/system/clocksource/clocksource0/available_clocksource"),
    schedRtRuntimeUs: await fs.readText("proc/sys/kernel/sched_rt_runtime_us"),
    schedRtPeriodUs: await fs.readText("proc/sys/kernel/sched_rt_period_us"),
    timerMigration: await fs.readText("proc/sys/kernel/timer_migration"),
    numaBalancing: await fs.readText("proc/sys/kernel/numa_balancing"),
    nmiWatchdog: await fs.readText("proc/sys/kernel/nmi_watchdog"),
    thpEnabled: await fs.readText("sys/kernel/mm/transparent_hugepage/enabled"),
    thpDefrag: await fs.readText("sys/kernel/mm/transparent_hugepage/defrag"),
    irqbalancePids: pids,
    irqbalanceEnviron: firstPid === undefined ? null : await fs.readTextOptional(`proc/${firstPid}/environ`),
    irqbalanceConfig,
  };
}

/** True when the tree has at least one of the kernel section's sources. */
export function hasAnyKernelSource(raw: RawKernel): boolean {
  const { irqbalancePids, irqbalanceConfig, nohzFullConfig, ...texts } = raw;
  return irqbalancePids.length > 0 || irqbalanceConfig !== null || nohzFullConfig !== null || Object.values(texts).some((v) => v !== null);
}

/**
 * Kernel section, or null when the tree has none of its sources. A partial tree (a foreign capture with
 * cpu/isolated but no /proc/cmdline) reports what exists; an absent source stays null (cmdline: null).
 */
export async function read(fs: HostFs): Promise<KernelSection | null> {
  const raw = await readRawKernel(fs);
  if (!hasAnyKernelSource(raw)) return null;
  return parseKernel(raw);
}
