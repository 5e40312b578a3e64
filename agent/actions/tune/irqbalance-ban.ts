import { z } from "zod";
import type { HostFs } from "@/agent/hostfs";
import { change, defineAction, TuneHostError, type PlannedChange } from "@/agent/actions/tune/action";
import { bannedCpusFromVars, findProcesses, parseEnviron, parseShellAssignments, readIsolatedCpus } from "@/agent/collectors/kernel";
import { cpuListParam } from "@/agent/actions/tune/params";
import { formatCpuList, subtractCpus, unionCpus } from "@/server/domain/cpuset/cpuset";
import { setShellVariable } from "@/server/domain/tuning/cmdline-edit";
import { osFamily } from "@/agent/actions/tune/os-release";

const DEBIAN = "etc/default/irqbalance";
const RHEL = "etc/sysconfig/irqbalance";

const params = z
  .object({
    /** CPUs irqbalance must not place IRQs on; default the isolated set */
    cpus: cpuListParam.optional(),
  })
  .strict();

async function configFile(fs: HostFs): Promise<string> {
  if ((await fs.readText(DEBIAN)) !== null) return DEBIAN;
  if ((await fs.readText(RHEL)) !== null) return RHEL;
  return (await osFamily(fs)) === "rhel" ? RHEL : DEBIAN;
}

export const irqbalanceBan = defineAction({
  id: "tune.irqbalance-ban",
  params,
  async plan(fs, p) {
    const cpus = p.cpus ?? (await readIsolatedCpus(fs)).isolated;
    if (cpus.length === 0) return { changes: [], skipped: [], notes: ["no isolated CPUs on this host (give cpus=…): nothing to ban"] };
    const rel = await configFile(fs);
    const text = await fs.readText(rel);
    const pids = await findProcesses(fs, "irqbalance");
    if (text === null && pids.length === 0) return { changes: [], skipped: [], notes: ["irqbalance is neither configured nor running: nothing to ban"] };
    const vars = parseShellAssignments(text ?? "");
    let admin: { cpus: number[]; variable: string } | null;
    try {
      admin = bannedCpusFromVars(vars);
    } catch {
      throw new TuneHostError(`/${rel}: the admin's banned list is not a cpu list or mask; fix it by hand first`);
    }
    const notes: string[] = [];
    const changes: PlannedChange[] = [];
    const missing = subtractCpus(cpus, admin?.cpus ?? []);
    if (missing.length > 0) {
      // The admin's own ban is kept (union), and rollback restores the file byte for byte — their line included.
      const banned = unionCpus(admin?.cpus ?? [], cpus);
      const target = setShellVariable(text ?? "", "IRQBALANCE_BANNED_CPULIST", formatCpuList(banned), "nfvdeck tune.irqbalance-ban: isolated CPUs added to the admin's ban; rollback restores the previous file");
      changes.push(change(rel, text, target, "runtime", `IRQBALANCE_BANNED_CPULIST=${formatCpuList(banned)}${admin ? ` (the admin's ${admin.variable} ${formatCpuList(admin.cpus)} kept)` : ""}; irqbalance reads it when it (re)starts`));
      if (admin?.variable === "IRQBALANCE_BANNED_CPUS") notes.push("the admin's IRQBALANCE_BANNED_CPUS line stays; irqbalance ≥ 1.8 prefers IRQBALANCE_BANNED_CPULIST, which now holds both sets");
    }
    // Unlike TuneD, say whether the running daemon uses the ban (its environment), not only what the file says.
    for (const pid of pids) {
      const env = await fs.readTextOptional(`proc/${pid}/environ`);
      if (env === null) {
        notes.push(`irqbalance runs (pid ${pid}); its environment is not readable, restart it after apply to be sure`);
        continue;
      }
      let running: number[] = [];
      try {
        running = bannedCpusFromVars(parseEnviron(env))?.cpus ?? [];
      } catch {
        running = [];
      }
      const unbanned = subtractCpus(cpus, running);
      notes.push(unbanned.length === 0 ? `irqbalance (pid ${pid}) already runs with the ban` : `irqbalance (pid ${pid}) runs without banning ${formatCpuList(unbanned)}: it must restart to read the file`);
    }
    return { changes, skipped: [], notes };
  },
  async commandsAfterWrite() {
    return [["systemctl", "try-restart", "irqbalance.service"]];
  },
});
