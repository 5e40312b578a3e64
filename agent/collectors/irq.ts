import type { HostFs } from "@/agent/hostfs";
import { tryParseCpuList, tryParseCpuMask } from "@/server/domain/cpuset/cpuset";
import type { IrqSection } from "@/server/contract/sections/irq";
import { Warnings } from "@/agent/collectors/values";

export interface InterruptRow {
  /** numeric IRQ, or null for named rows (LOC, RES, …) */
  irq: number | null;
  label: string;
  counts: number[];
  chip: string | null;
  hwirq: string | null;
  /** action names for numbered IRQs, description for named rows */
  name: string;
}

export interface ParsedInterrupts {
  columns: number[];
  rows: InterruptRow[];
  malformed: number;
}

const HWIRQ_TYPE = /^(?:[0-9a-fx]+-)?(?:edge|level|fasteoi|Edge|Level)$|-(?:edge|level|fasteoi)$/i;

/**
 * Parse /proc/interrupts. The header names the CPU columns (online CPUs only); each row has up to that many
 * counts, then for numbered IRQs: chip, optional "hwirq-type", action names (may contain spaces).
 */
export function parseInterrupts(text: string): ParsedInterrupts {
  const lines = text.split("\n");
  const header = lines.shift() ?? "";
  const columns: number[] = [];
  for (const token of header.trim().split(/\s+/)) {
    const m = /^CPU(\d+)$/.exec(token);
    if (m) columns.push(Number(m[1]));
  }
  const rows: InterruptRow[] = [];
  let malformed = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const m = /^\s*([^\s:]+):(.*)$/.exec(line);
    if (!m) {
      malformed += 1;
      continue;
    }
    const label = m[1] as string;
    const tokens = (m[2] as string).trim().split(/\s+/).filter((t) => t !== "");
    const counts: number[] = [];
    while (counts.length < Math.max(columns.length, 1) && tokens.length > 0 && /^\d+$/.test(tokens[0] as string)) {
      counts.push(Number(tokens.shift()));
    }
    const irq = /^\d+$/.test(label) ? Number(label) : null;
    if (irq === null) {
      rows.push({ irq, label, counts, chip: null, hwirq: null, name: tokens.join(" ") });
      continue;
    }
    const chip = tokens.shift() ?? null;
    let hwirq: string | null = null;
    if (tokens.length > 0 && HWIRQ_TYPE.test(tokens[0] as string)) hwirq = tokens.shift() ?? null;
    rows.push({ irq, label, counts, chip, hwirq, name: tokens.join(" ") });
  }
  return { columns, rows, malformed };
}

/** debugfs irq/irqs/N lists the IRQ's state flags; a managed IRQ's affinity is set by the kernel and cannot be changed. */
export function isManagedIrq(debugfsText: string): boolean {
  return /\bIRQD_AFFINITY_MANAGED\b/.test(debugfsText);
}

export interface RawIrq {
  interrupts: string | null;
  defaultSmpAffinity: string | null;
  affinity: Map<number, { smpAffinityList: string | null; effectiveAffinityList: string | null; debugfs: string | null }>;
}

function cpusWithCounts(columns: number[], counts: number[]): number[] {
  const out: number[] = [];
  counts.forEach((n, i) => {
    const cpu = columns[i] ?? i;
    if (n > 0) out.push(cpu);
  });
  return out;
}

/** Build the irq section (pure). */
export function parseIrq(raw: RawIrq): IrqSection {
  const warnings = new Warnings();
  const parsed = parseInterrupts(raw.interrupts ?? "");
  if (parsed.malformed > 0) warnings.add(`/proc/interrupts: ${parsed.malformed} malformed line(s) skipped`);
  const list = (text: string | null, what: string) => {
    if (text === null) return null;
    const cpus = tryParseCpuList(text);
    if (cpus === null) warnings.add(`${what}: not a cpu list: ${JSON.stringify(text.trim().slice(0, 80))}`);
    return cpus;
  };
  const irqs: IrqSection["irqs"] = [];
  const other: IrqSection["other"] = [];
  for (const row of parsed.rows) {
    const total = row.counts.reduce((a, b) => a + b, 0);
    if (row.irq === null) {
      other.push({ name: row.label.slice(0, 64), description: row.name.slice(0, 1024), total, cpusWithCounts: cpusWithCounts(parsed.columns, row.counts) });
      continue;
    }
    const aff = raw.affinity.get(row.irq);
    irqs.push({
      irq: row.irq,
      name: row.name.slice(0, 1024),
      chip: row.chip?.slice(0, 1024) ?? null,
      hwirq: row.hwirq?.slice(0, 1024) ?? null,
      total,
      cpusWithCounts: cpusWithCounts(parsed.columns, row.counts),
      smpAffinity: list(aff?.smpAffinityList ?? null, `irq ${row.irq} smp_affinity_list`),
      effectiveAffinity: list(aff?.effectiveAffinityList ?? null, `irq ${row.irq} effective_affinity_list`),
      managed: aff?.debugfs == null ? null : isManagedIrq(aff.debugfs),
    });
  }
  return {
    columns: parsed.columns,
    defaultSmpAffinity: raw.defaultSmpAffinity === null ? null : tryParseCpuMask(raw.defaultSmpAffinity),
    irqs,
    other: other.slice(0, 256),
    warnings: warnings.items,
  };
}

export async function readRawIrq(fs: HostFs): Promise<RawIrq> {
  const interrupts = await fs.readText("proc/interrupts");
  const affinity: RawIrq["affinity"] = new Map();
  // debugfs (root only, when mounted) is the one place that says whether an IRQ is kernel-managed.
  const debugfs = (await fs.listDir("sys/kernel/debug/irq/irqs").catch(() => null)) !== null;
  for (const row of parseInterrupts(interrupts ?? "").rows) {
    if (row.irq === null) continue;
    affinity.set(row.irq, {
      smpAffinityList: await fs.readTextOptional(`proc/irq/${row.irq}/smp_affinity_list`),
      effectiveAffinityList: await fs.readTextOptional(`proc/irq/${row.irq}/effective_affinity_list`),
      debugfs: debugfs ? await fs.readTextOptional(`sys/kernel/debug/irq/irqs/${row.irq}`) : null,
    });
  }
  return { interrupts, defaultSmpAffinity: await fs.readTextOptional("proc/irq/default_smp_affinity"), affinity };
}

/** IRQ section, or null when /proc/interrupts is absent. */
export async function read(fs: HostFs): Promise<IrqSection | null> {
  const raw = await readRawIrq(fs);
  if (raw.interrupts === null) return null;
  return parseIrq(raw);
}
