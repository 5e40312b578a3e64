import { z } from "zod";
import { change, defineAction, TuneHostError, type PlannedChange } from "@/agent/actions/tune/action";
import { cpuListParam } from "@/agent/actions/tune/params";
import { tryParseCpuList } from "@/server/domain/cpuset/cpuset";
import type { TuneSkip } from "@/server/contract/tuning";

const params = z
  .object({
    governor: z.string().regex(/^[a-z_]{1,32}$/, "a cpufreq governor name").default("performance"),
    /** CPUs to set; default every online CPU */
    cpus: cpuListParam.optional(),
  })
  .strict();

export const governor = defineAction({
  id: "tune.governor",
  params,
  async plan(fs, p) {
    const online = tryParseCpuList((await fs.readText("sys/devices/system/cpu/online")) ?? "") ?? [];
    const cpus = p.cpus ?? online;
    const changes: PlannedChange[] = [];
    const skipped: TuneSkip[] = [];
    let withCpufreq = 0;
    for (const cpu of cpus) {
      const rel = `sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_governor`;
      const current = await fs.readText(rel);
      if (current === null) {
        skipped.push({ path: `/${rel}`, reason: "no cpufreq on this CPU (VM or firmware-controlled frequency)" });
        continue;
      }
      withCpufreq += 1;
      const available = (await fs.readTextOptional(`sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_available_governors`))?.trim().split(/\s+/) ?? null;
      if (available !== null && available.length > 0 && !available.includes(p.governor)) {
        throw new TuneHostError(`CPU ${cpu} (${((await fs.readTextOptional(`sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_driver`)) ?? "?").trim()}) has no "${p.governor}" governor (available: ${available.join(" ")})`);
      }
      if (current.trim() !== p.governor) changes.push(change(rel, current, `${p.governor}\n`, "runtime", `CPU ${cpu}: ${current.trim()} → ${p.governor}`));
    }
    const notes = ["runtime only: the governor returns to the kernel default at boot; compliance flags it again after a reboot"];
    // Boost/turbo is left alone: it is a BIOS or driver policy, and judging it here is what makes TuneD's verify fail on AMD and VMs.
    if (withCpufreq === 0) notes.unshift("no CPU has cpufreq (a VM, or frequency set by firmware): nothing to set");
    return { changes, skipped: withCpufreq === 0 ? [] : skipped, notes };
  },
});
