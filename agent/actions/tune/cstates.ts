import { z } from "zod";
import { change, defineAction, type PlannedChange } from "@/agent/actions/tune/action";
import { readIsolatedCpus } from "@/agent/collectors/kernel";
import { cpuListParam, intParam } from "@/agent/actions/tune/params";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";

const params = z
  .object({
    /** CPUs whose deep idle states to disable; default the isolated CPUs, or every online CPU when none is isolated */
    cpus: cpuListParam.optional(),
    /** disable every idle state whose exit latency exceeds this (µs); 0 keeps only POLL */
    maxLatencyUs: intParam(0, 100_000).default(0),
  })
  .strict();

export const cstates = defineAction({
  id: "tune.cstates",
  params,
  async plan(fs, p) {
    const iso = await readIsolatedCpus(fs);
    const cpus = p.cpus ?? (iso.isolated.length > 0 ? iso.isolated : iso.online);
    const changes: PlannedChange[] = [];
    let withIdle = 0;
    for (const cpu of cpus) {
      const dir = `sys/devices/system/cpu/cpu${cpu}/cpuidle`;
      const states = ((await fs.listDir(dir)) ?? []).filter((n) => /^state\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
      if (states.length > 0) withIdle += 1;
      for (const s of states) {
        const latency = Number(((await fs.readTextOptional(`${dir}/${s}/latency`)) ?? "").trim());
        const name = ((await fs.readTextOptional(`${dir}/${s}/name`)) ?? s).trim();
        const rel = `${dir}/${s}/disable`;
        const current = await fs.readText(rel);
        if (current === null || !Number.isFinite(latency) || latency <= p.maxLatencyUs) continue;
        if (current.trim() !== "1") changes.push(change(rel, current, "1\n", "runtime", `CPU ${cpu} ${name} (exit latency ${latency} µs) disabled`));
      }
    }
    const notes = [`CPUs ${formatCpuList(cpus) || "(none)"}; runtime only (boot-time equivalent: intel_idle.max_cstate / processor.max_cstate on the command line)`];
    if (withIdle === 0) notes.unshift("no cpuidle states on these CPUs: nothing to disable");
    return { changes, skipped: [], notes };
  },
});
