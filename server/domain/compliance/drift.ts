import { formatCpuList } from "@/server/domain/cpuset/cpuset";
import type { Finding, RuleStatus } from "@/server/domain/compliance/types";

/** One key-level change of a section's data. Values are display strings; null = absent. */
export type SnapshotChange = { section: string; key: string; oldValue: string | null; newValue: string | null };

/** One rule whose status changed between two evaluations. null = the rule was not evaluated then. */
export type StatusChange = { ruleId: string; section: string; oldStatus: RuleStatus | null; newStatus: RuleStatus | null };

/**
 * Keys that change on every report without meaning a configuration change (interrupt counts, free
 * hugepages, pids) or that only repeat what another key says: left out of drift.
 */
const IGNORED_LEAF = new Set(["total", "cpusWithCounts", "warnings", "durationMs", "free", "surplus", "pids", "memTotalKb", "microcode"]);
const IGNORED_PATHS = new Set(["irq.other", "kernel.cmdline", "kernel.version"]);

/** Fields that identify an element of a list of objects, in order of preference. */
const IDENTITY_FIELDS = ["irq", "cpu", "node", "sizeKb", "index", "key", "name"] as const;

/** Names whose numeric arrays are CPU sets: shown as cpu lists ("2-5,8"). */
const CPU_ARRAY_NAME = /(cpus|cpu|affinity|columns|siblings|isolated|nohzfull|housekeeping)$/i;

type Flat = Map<string, string>;

function scalarText(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return v;
  return String(v);
}

function elementKey(el: unknown, index: number): string {
  if (typeof el === "object" && el !== null && !Array.isArray(el)) {
    const rec = el as Record<string, unknown>;
    for (const f of IDENTITY_FIELDS) {
      const v = rec[f];
      if (typeof v === "number" || (typeof v === "string" && v !== "")) return String(v);
    }
    const cpus = rec.cpus;
    if (Array.isArray(cpus) && cpus.every((c) => typeof c === "number")) return `cpus=${formatCpuList(cpus as number[])}`;
  }
  return String(index);
}

function flattenInto(out: Flat, path: string, leaf: string, value: unknown): void {
  if (IGNORED_LEAF.has(leaf) || IGNORED_PATHS.has(path)) return;
  if (value === undefined) return;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number")) {
      out.set(path, CPU_ARRAY_NAME.test(leaf) ? formatCpuList(value as number[]) || "(none)" : (value as number[]).join(","));
      return;
    }
    if (value.every((v) => typeof v !== "object" || v === null)) {
      out.set(path, value.map(scalarText).join(" "));
      return;
    }
    value.forEach((el, i) => flattenInto(out, `${path}.${elementKey(el, i)}`, leaf, el));
    return;
  }
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenInto(out, `${path}.${k}`, k, v);
    return;
  }
  out.set(path, scalarText(value));
}

/** The kernel command line as one key per parameter ("kernel.cmdline.nohz_full"), flags as "(flag)". */
function flattenCmdline(out: Flat, data: unknown): void {
  if (typeof data !== "object" || data === null) return;
  const cmdline = (data as Record<string, unknown>).cmdline;
  if (typeof cmdline !== "object" || cmdline === null) return;
  const params = (cmdline as Record<string, unknown>).params;
  if (!Array.isArray(params)) return;
  const values = new Map<string, string[]>();
  for (const p of params) {
    if (typeof p !== "object" || p === null) continue;
    const { key, value } = p as { key?: unknown; value?: unknown };
    if (typeof key !== "string") continue;
    const list = values.get(key) ?? [];
    list.push(typeof value === "string" ? value : "(flag)");
    values.set(key, list);
  }
  for (const [k, v] of values) out.set(`kernel.cmdline.${k}`, v.join(" "));
}

/** Flatten one section's data to dotted keys → display values (see IGNORED_* for what is left out). */
export function flattenSection(section: string, data: unknown): Flat {
  const out: Flat = new Map();
  if (data === null || data === undefined) return out;
  flattenInto(out, section, section, data);
  if (section === "kernel") flattenCmdline(out, data);
  return out;
}

/** At most this many key changes per section are recorded; the rest are summarised in one entry. */
export const MAX_CHANGES_PER_SECTION = 100;

/** Key-level differences between two versions of one section's data. */
export function diffSection(section: string, oldData: unknown, newData: unknown): SnapshotChange[] {
  const before = flattenSection(section, oldData);
  const after = flattenSection(section, newData);
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: SnapshotChange[] = [];
  for (const key of keys) {
    const o = before.get(key) ?? null;
    const n = after.get(key) ?? null;
    if (o !== n) changes.push({ section, key, oldValue: o, newValue: n });
  }
  if (changes.length > MAX_CHANGES_PER_SECTION) {
    const rest = changes.length - MAX_CHANGES_PER_SECTION + 1;
    return [...changes.slice(0, MAX_CHANGES_PER_SECTION - 1), { section, key: `${section}.*`, oldValue: null, newValue: `… and ${rest} more changes` }];
  }
  return changes;
}

/** Rules whose status changed. A rule evaluated only on one side has null on the other. */
export function diffResults(oldFindings: readonly Pick<Finding, "ruleId" | "section" | "status">[], newFindings: readonly Pick<Finding, "ruleId" | "section" | "status">[]): StatusChange[] {
  const before = new Map(oldFindings.map((f) => [f.ruleId, f]));
  const after = new Map(newFindings.map((f) => [f.ruleId, f]));
  const changes: StatusChange[] = [];
  for (const f of newFindings) {
    const o = before.get(f.ruleId);
    if (!o || o.status !== f.status) changes.push({ ruleId: f.ruleId, section: f.section, oldStatus: o?.status ?? null, newStatus: f.status });
  }
  for (const o of oldFindings) if (!after.has(o.ruleId)) changes.push({ ruleId: o.ruleId, section: o.section, oldStatus: o.status, newStatus: null });
  return changes;
}

// ── human text ──────────────────────────────────────────────────────────────────────────────

const show = (v: string | null) => (v === null ? "(absent)" : v === "" ? '""' : v);

/** "irqbalance started", "kernel cmdline: nohz_full=2-5 added", "kernel.sysctl.schedRtRuntimeUs 950000 → -1". */
export function describeSnapshotChange(c: Pick<SnapshotChange, "key" | "oldValue" | "newValue">): string {
  const { key, oldValue: o, newValue: n } = c;
  if (key === "kernel.irqbalance.running") return n === "true" ? "irqbalance started" : n === "false" ? "irqbalance stopped" : `irqbalance running ${show(o)} → ${show(n)}`;
  if (key === "power.smt.active") return n === "true" ? "SMT (Hyper-Threading) turned on" : n === "false" ? "SMT (Hyper-Threading) turned off" : `SMT active ${show(o)} → ${show(n)}`;
  if (key === "power.turbo.enabled") return n === "true" ? "turbo enabled" : n === "false" ? "turbo disabled" : `turbo ${show(o)} → ${show(n)}`;
  if (key === "kernel.sysctl.schedRtRuntimeUs") return `kernel.sched_rt_runtime_us ${show(o)} → ${show(n)}`;
  if (key === "kernel.clocksource.current") return `clocksource ${show(o)} → ${show(n)}`;
  if (key.startsWith("kernel.cmdline.")) {
    const p = key.slice("kernel.cmdline.".length);
    const w = (v: string) => (v === "(flag)" ? p : `${p}=${v}`);
    if (o === null && n !== null) return `kernel cmdline: ${w(n)} added`;
    if (n === null && o !== null) return `kernel cmdline: ${w(o)} removed`;
    return `kernel cmdline: ${w(o ?? "")} → ${w(n ?? "")}`;
  }
  const irq = /^irq\.irqs\.(\d+)\.(effectiveAffinity|smpAffinity)$/.exec(key);
  if (irq) return `IRQ ${irq[1]} ${irq[2] === "effectiveAffinity" ? "effective affinity" : "affinity"} ${show(o)} → ${show(n)}`;
  if (o === null) return `${key} = ${show(n)} (new)`;
  if (n === null) return `${key} removed (was ${show(o)})`;
  return `${key}: ${o} → ${n}`;
}

export function describeStatusChange(c: Pick<StatusChange, "ruleId" | "oldStatus" | "newStatus">): string {
  const st = (s: string | null) => (s === null ? "(not evaluated)" : s === "na" ? "n/a" : s);
  return `rule ${c.ruleId} ${st(c.oldStatus)} → ${st(c.newStatus)}`;
}

/** A stored drift row as the timeline needs it. */
export type DriftRow = {
  at: Date;
  kind: string;
  section: string;
  key: string;
  oldValue: string | null;
  newValue: string | null;
  ruleId: string | null;
  oldStatus: string | null;
  newStatus: string | null;
};

export type TimelineEntry = {
  at: Date;
  /** "2026-11-20 14:02 irqbalance started; rule runtime.irqbalance pass → fail" */
  text: string;
  changes: string[];
  ruleChanges: { ruleId: string; oldStatus: string | null; newStatus: string | null; text: string }[];
};

/** "2026-11-20 14:02" in UTC. */
export function formatMinute(d: Date): string {
  return d.toISOString().slice(0, 16).replace("T", " ");
}

const STATUS_VALUES = new Set<string>(["pass", "fail", "warn", "na"]);
const asStatus = (s: string | null): RuleStatus | null => (s !== null && STATUS_VALUES.has(s) ? (s as RuleStatus) : null);

/** Group drift rows that happened at the same instant into one timeline entry, newest first. */
export function buildTimeline(rows: readonly DriftRow[]): TimelineEntry[] {
  const groups = new Map<number, DriftRow[]>();
  for (const r of rows) {
    const t = r.at.getTime();
    const g = groups.get(t) ?? [];
    g.push(r);
    groups.set(t, g);
  }
  return [...groups.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([t, g]) => {
      const changes = g
        .filter((r) => r.kind === "snapshot")
        .map((r) => describeSnapshotChange({ key: r.key, oldValue: r.oldValue, newValue: r.newValue }));
      const profileChanges = g.filter((r) => r.kind === "compliance" && r.ruleId === null && r.key === "profileId").map((r) => `profile ${show(r.oldValue)} → ${show(r.newValue)}`);
      const ruleChanges = g
        .filter((r) => r.kind === "compliance" && r.ruleId !== null)
        .map((r) => ({
          ruleId: r.ruleId as string,
          oldStatus: r.oldStatus,
          newStatus: r.newStatus,
          text: describeStatusChange({ ruleId: r.ruleId as string, oldStatus: asStatus(r.oldStatus), newStatus: asStatus(r.newStatus) }),
        }));
      const at = new Date(t);
      const parts = [[...profileChanges, ...changes].join(", "), ruleChanges.map((r) => r.text).join(", ")].filter((x) => x !== "");
      return { at, text: `${formatMinute(at)} ${parts.join("; ")}`, changes: [...profileChanges, ...changes], ruleChanges };
    });
}
