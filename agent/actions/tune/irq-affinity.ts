import { z } from "zod";
import { change, defineAction, type PlannedChange } from "@/agent/actions/tune/action";
import { readIsolatedCpus } from "@/agent/collectors/kernel";
import { isManagedIrq, parseInterrupts } from "@/agent/collectors/irq";
import { cpuListParam } from "@/agent/actions/tune/params";
import { formatCpuList, formatCpuMask, intersectCpus, subtractCpus, tryParseCpuList, tryParseCpuMask } from "@/server/domain/cpuset/cpuset";
import type { TuneSkip } from "@/server/contract/tuning";

export const NOT_MOVABLE = "not movable (kernel-managed)";

const params = z
  .object({
    /** CPUs to keep IRQs off; default the isolated set (isolcpus ∪ nohz_full ∪ rcu_nocbs ∪ /sys …/isolated) */
    isolated: cpuListParam.optional(),
    /** IRQs whose action name matches stay where they are (real-time IRQs of the VNF); same default as the compliance rule */
    allow: z
      .string()
      .max(200)
      .refine((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, "not a valid regular expression")
      .default("^vfio-"),
  })
  .strict();

export const irqAffinity = defineAction({
  id: "tune.irq-affinity",
  params,
  async plan(fs, p) {
    const sys = await readIsolatedCpus(fs);
    const isolated = p.isolated ?? sys.isolated;
    const housekeeping = subtractCpus(sys.online, isolated);
    const changes: PlannedChange[] = [];
    const skipped: TuneSkip[] = [];
    if (isolated.length === 0) return { changes, skipped, notes: ["no isolated CPUs on this host: nothing to protect"] };
    if (housekeeping.length === 0) return { changes, skipped, notes: [`every online CPU is isolated (${formatCpuList(isolated)}): no housekeeping CPU to move IRQs to`] };
    const names = new Map<number, string>();
    const interrupts = await fs.readTextOptional("proc/interrupts");
    if (interrupts !== null) for (const row of parseInterrupts(interrupts).rows) if (row.irq !== null) names.set(row.irq, row.name);
    const allow = p.allow === "" ? null : new RegExp(p.allow);
    const debugfs = (await fs.listDir("sys/kernel/debug/irq/irqs")) !== null;
    const irqs = ((await fs.listDir("proc/irq")) ?? []).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
    for (const irq of irqs) {
      const rel = `proc/irq/${irq}/smp_affinity_list`;
      const current = await fs.readText(rel);
      const cpus = current === null ? null : tryParseCpuList(current);
      if (current === null || cpus === null) continue;
      if (intersectCpus(cpus, isolated).length === 0) continue;
      const name = names.get(irq) ?? "";
      if (allow && name !== "" && allow.test(name)) {
        skipped.push({ path: `/${rel}`, reason: `real-time IRQ (${name} matches ${p.allow}): left on ${formatCpuList(cpus)}` });
        continue;
      }
      if (debugfs && isManagedIrq((await fs.readTextOptional(`sys/kernel/debug/irq/irqs/${irq}`)) ?? "")) {
        skipped.push({ path: `/${rel}`, reason: `${NOT_MOVABLE}: IRQ ${irq} ${name}`.trim() });
        continue;
      }
      // Keep the IRQ's own housekeeping CPUs when it has some (its driver chose them), else all of them.
      const keep = subtractCpus(cpus, isolated);
      const target = keep.length > 0 ? keep : housekeeping;
      changes.push(change(rel, current, `${formatCpuList(target)}\n`, "runtime", `IRQ ${irq} ${name || "(no action)"}: ${formatCpuList(cpus)} → ${formatCpuList(target)}`.replace(/\s+/g, " "), NOT_MOVABLE));
    }
    const dflt = "proc/irq/default_smp_affinity";
    const dfltText = await fs.readText(dflt);
    const dfltCpus = dfltText === null ? null : tryParseCpuMask(dfltText);
    if (dfltText !== null && dfltCpus !== null && intersectCpus(dfltCpus, isolated).length > 0) {
      changes.push(change(dflt, dfltText, `${formatCpuMask(housekeeping)}\n`, "runtime", `new IRQs start on housekeeping CPUs ${formatCpuList(housekeeping)}`));
    }
    return {
      changes,
      skipped,
      notes: [
        `isolated ${formatCpuList(isolated)}, housekeeping ${formatCpuList(housekeeping)}`,
        "runtime only: add irqaffinity=<housekeeping> to the command line (tune.cmdline) for early-boot IRQs; drivers that re-bind may move theirs back",
      ],
    };
  },
});
