/**
 * resctrl (Intel RDT / AMD PQoS): CAT/CDP/MBA control groups and CMT/MBM monitoring, as described in the
 * kernel's Documentation/arch/x86/resctrl.rst.
 *
 * The section holds what is configured (info, schemata, CPUs, task counts, which counters read); the
 * counter values themselves change every second and go out as QoS samples (readQosSamples), so the
 * static section's hash only changes when the configuration does.
 */
import type { HostFs } from "@/agent/hostfs";
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import type { QosSample } from "@/server/contract/sections/qos";
import { parseIntValue, parseWordValue, Warnings } from "@/agent/collectors/values";

const ROOT = "sys/fs/resctrl";
/** Entries of a control group directory that are not child control groups. */
const NOT_GROUPS = new Set(["info", "mon_groups", "mon_data"]);
const MON_FILES = {
  llcOccupancy: "llc_occupancy",
  mbmTotalBytes: "mbm_total_bytes",
  mbmLocalBytes: "mbm_local_bytes",
} as const;
type MonKey = keyof typeof MON_FILES;

export type MonValueStatus = "ok" | "Error" | "Unavailable" | "Unassigned" | "missing" | "invalid";
export interface MonValue {
  /** bytes as a decimal string (u64 may exceed 2^53) */
  value: string | null;
  status: MonValueStatus;
}

/** A monitoring file's text: a decimal byte count, or one of the kernel's words for "no value now". */
export function parseMonValue(text: string | null): MonValue {
  if (text === null) return { value: null, status: "missing" };
  const t = text.trim();
  if (/^\d{1,20}$/.test(t)) {
    const n = BigInt(t);
    if (n <= 18446744073709551615n) return { value: n.toString(), status: "ok" };
  }
  if (t === "Error" || t === "Unavailable" || t === "Unassigned") return { value: null, status: t };
  return { value: null, status: "invalid" };
}

export interface SchemataLine {
  resource: string;
  domains: Array<{ id: number; value: string }>;
}

/**
 * "L3:0=fffff;1=fffff", "L3DATA:0=ff;1=ff", "    MB:0=100;1= 50" (values may be padded with spaces).
 * Throws on a malformed line, naming it.
 */
export function parseSchemata(text: string): SchemataLine[] {
  const out: SchemataLine[] = [];
  text.split("\n").forEach((raw, idx) => {
    const line = raw.trim();
    if (line === "") return;
    const m = /^([A-Z][A-Z0-9_]*)\s*:(.*)$/.exec(line);
    if (!m) throw new Error(`schemata line ${idx + 1}: not "RESOURCE:id=value;…": ${JSON.stringify(line.slice(0, 80))}`);
    const domains = (m[2] ?? "")
      .split(";")
      .map((d) => d.trim())
      .filter((d) => d !== "")
      .map((d) => {
        const dm = /^(\d+)\s*=\s*([0-9A-Za-z]+)$/.exec(d);
        if (!dm) throw new Error(`schemata line ${idx + 1}: bad domain entry ${JSON.stringify(d)}`);
        return { id: Number(dm[1]), value: (dm[2] ?? "").toLowerCase() };
      });
    out.push({ resource: m[1] ?? "", domains });
  });
  return out;
}

/** Number of lines in a tasks file (one PID per line). */
export function countTasks(text: string | null): number | null {
  if (text === null) return null;
  return text.split("\n").filter((l) => l.trim() !== "").length;
}

/** resctrl lines of /proc/mounts → mount options, or null when there is none. */
export function parseResctrlMount(mounts: string): string[] | null {
  for (const line of mounts.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[2] === "resctrl" || (f[0] === "resctrl" && f[1]?.endsWith("/resctrl"))) return (f[3] ?? "").split(",").filter(Boolean);
  }
  return null;
}

function hex(text: string | null): string | null {
  const t = parseWordValue(text);
  return t !== null && /^[0-9a-fA-F]{1,64}$/.test(t) ? t.toLowerCase() : null;
}

function count(text: string | null, where: string, warnings: Warnings): number | null {
  if (text === null) return null;
  const n = parseIntValue(text);
  if (n === null || n < 0) {
    warnings.add(`${where}: not a count: ${JSON.stringify(text.trim().slice(0, 40))}`);
    return null;
  }
  return n;
}

async function readCacheInfo(fs: HostFs, dir: string, warnings: Warnings) {
  if (!(await fs.exists(dir))) return null;
  const f = (name: string) => fs.readText(`${dir}/${name}`);
  return {
    numClosids: count(await f("num_closids"), `${dir}/num_closids`, warnings),
    cbmMask: hex(await f("cbm_mask")),
    minCbmBits: count(await f("min_cbm_bits"), `${dir}/min_cbm_bits`, warnings),
    shareableBits: hex(await f("shareable_bits")),
    bitUsage: parseWordValue(await f("bit_usage"), 1024),
  };
}

async function readInfo(fs: HostFs, warnings: Warnings): Promise<NonNullable<ResctrlSection["info"]>> {
  const info = `${ROOT}/info`;
  const l3Code = await readCacheInfo(fs, `${info}/L3CODE`, warnings);
  const l3Data = await readCacheInfo(fs, `${info}/L3DATA`, warnings);
  let mb: NonNullable<ResctrlSection["info"]>["mb"] = null;
  if (await fs.exists(`${info}/MB`)) {
    const f = (name: string) => fs.readText(`${info}/MB/${name}`);
    const dl = parseWordValue(await f("delay_linear"));
    mb = {
      numClosids: count(await f("num_closids"), "info/MB/num_closids", warnings),
      bandwidthGran: count(await f("bandwidth_gran"), "info/MB/bandwidth_gran", warnings),
      minBandwidth: count(await f("min_bandwidth"), "info/MB/min_bandwidth", warnings),
      delayLinear: dl === "1" ? true : dl === "0" ? false : null,
      threadThrottleMode: parseWordValue(await f("thread_throttle_mode"), 64),
    };
  }
  let l3Mon: NonNullable<ResctrlSection["info"]>["l3Mon"] = null;
  if (await fs.exists(`${info}/L3_MON`)) {
    const f = (name: string) => fs.readText(`${info}/L3_MON/${name}`);
    l3Mon = {
      numRmids: count(await f("num_rmids"), "info/L3_MON/num_rmids", warnings),
      monFeatures: ((await f("mon_features")) ?? "").split("\n").map((s) => s.trim()).filter(Boolean).slice(0, 64),
      maxThresholdOccupancy: count(await f("max_threshold_occupancy"), "info/L3_MON/max_threshold_occupancy", warnings),
    };
  }
  return {
    l3: await readCacheInfo(fs, `${info}/L3`, warnings),
    l3Code,
    l3Data,
    l2: await readCacheInfo(fs, `${info}/L2`, warnings),
    cdp: l3Code !== null && l3Data !== null,
    mb,
    l3Mon,
    lastCmdStatus: parseWordValue(await fs.readText(`${info}/last_cmd_status`), 1024),
  };
}

/** "" → ROOT, "g" → ROOT/g … */
function dirOf(groupPath: string): string {
  return groupPath === "/" ? ROOT : `${ROOT}/${groupPath}`;
}

interface MonGroupRaw {
  path: string;
  controlGroup: string;
  cpusList: string | null;
  taskCount: number | null;
  domains: Array<{ domain: string; id: number; values: Record<MonKey, MonValue> }>;
}

async function readMonData(fs: HostFs, groupDir: string): Promise<MonGroupRaw["domains"] | null> {
  const names = await fs.listDir(`${groupDir}/mon_data`);
  if (names === null) return null;
  const out: MonGroupRaw["domains"] = [];
  for (const name of names) {
    const m = /^mon_[A-Za-z0-9]+_(\d+)$/.exec(name);
    if (!m) continue;
    const values = {} as Record<MonKey, MonValue>;
    for (const key of Object.keys(MON_FILES) as MonKey[]) {
      values[key] = parseMonValue(await fs.readTextOptional(`${groupDir}/mon_data/${name}/${MON_FILES[key]}`));
    }
    out.push({ domain: name, id: Number(m[1]), values });
  }
  return out;
}

function cpusListOf(text: string | null): string | null {
  const t = parseWordValue(text);
  // an empty cpus_list (group owns no CPU) is valid: ""
  if (text !== null && text.trim() === "") return "";
  return t !== null && /^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(t) ? t : null;
}

export interface ResctrlReading {
  section: ResctrlSection;
  /** every monitoring group with its per-domain values */
  monitoring: MonGroupRaw[];
}

/** Reads the whole resctrl tree; null when resctrl is not mounted (not an error: VMs have none). */
export async function readResctrl(fs: HostFs): Promise<ResctrlReading | null> {
  const warnings = new Warnings();
  const mounts = await fs.readTextOptional("proc/mounts");
  const mountOptions = mounts === null ? null : parseResctrlMount(mounts);
  const mounted = await fs.exists(`${ROOT}/info`);
  if (!mounted) return null;

  const info = await readInfo(fs, warnings);
  const controlGroups: ResctrlSection["controlGroups"] = [];
  const monitoring: MonGroupRaw[] = [];

  const groupPaths = ["/"];
  for (const name of (await fs.listDir(ROOT)) ?? []) {
    if (NOT_GROUPS.has(name)) continue;
    // child control groups are directories with a schemata file
    if (await fs.exists(`${ROOT}/${name}/schemata`)) groupPaths.push(name);
  }
  for (const gp of groupPaths) {
    const dir = dirOf(gp);
    let schemata: SchemataLine[] = [];
    const schemataText = await fs.readText(`${dir}/schemata`);
    if (schemataText !== null) {
      try {
        schemata = parseSchemata(schemataText);
      } catch (e) {
        warnings.add(`${gp}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const cpusList = cpusListOf(await fs.readText(`${dir}/cpus_list`));
    const taskCount = countTasks(await fs.readTextOptional(`${dir}/tasks`));
    controlGroups.push({ path: gp, schemata, cpusList, taskCount, mode: parseWordValue(await fs.readText(`${dir}/mode`), 64) });

    const own = await readMonData(fs, dir);
    if (own !== null) monitoring.push({ path: gp, controlGroup: gp, cpusList, taskCount, domains: own });
    for (const mon of (await fs.listDir(`${dir}/mon_groups`)) ?? []) {
      const mdir = `${dir}/mon_groups/${mon}`;
      const domains = await readMonData(fs, mdir);
      if (domains === null) continue;
      monitoring.push({
        path: gp === "/" ? `mon_groups/${mon}` : `${gp}/mon_groups/${mon}`,
        controlGroup: gp,
        cpusList: cpusListOf(await fs.readText(`${mdir}/cpus_list`)),
        taskCount: countTasks(await fs.readTextOptional(`${mdir}/tasks`)),
        domains,
      });
    }
  }

  const section: ResctrlSection = {
    mounted,
    inProcMounts: mounts === null ? null : mountOptions !== null,
    mountOptions: mountOptions ?? [],
    info,
    controlGroups,
    monGroups: monitoring.map((g) => ({
      path: g.path,
      controlGroup: g.controlGroup,
      cpusList: g.cpusList,
      taskCount: g.taskCount,
      domains: g.domains.map((d) => ({
        domain: d.domain,
        id: d.id,
        llcOccupancy: d.values.llcOccupancy.status,
        mbmTotalBytes: d.values.mbmTotalBytes.status,
        mbmLocalBytes: d.values.mbmLocalBytes.status,
      })),
    })),
    warnings: warnings.items,
  };
  return { section, monitoring };
}

/** Collector entry point for the report: the static section, or null (not available). */
export async function read(fs: HostFs): Promise<ResctrlSection | null> {
  return (await readResctrl(fs))?.section ?? null;
}

/** Monitoring values → QoS samples (pure): one per monitoring group and domain. */
export function toQosSamples(monitoring: readonly MonGroupRaw[], at: Date): QosSample[] {
  const iso = at.toISOString();
  const out: QosSample[] = [];
  for (const g of monitoring) {
    for (const d of g.domains) {
      out.push({
        at: iso,
        group: g.path,
        domain: d.domain,
        llcOccupancyBytes: d.values.llcOccupancy.value,
        mbmTotalBytes: d.values.mbmTotalBytes.value,
        mbmLocalBytes: d.values.mbmLocalBytes.value,
      });
    }
  }
  return out;
}

/** Reads the monitoring counters now, as QoS samples ([] when resctrl is not mounted). */
export async function readQosSamples(fs: HostFs, at: Date = new Date()): Promise<QosSample[]> {
  const r = await readResctrl(fs);
  return r === null ? [] : toQosSamples(r.monitoring, at);
}
