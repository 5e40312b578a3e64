import { z } from "zod";
import type { HostFs } from "@/agent/hostfs";
import { change, defineAction, TuneHostError, type PlannedChange } from "@/agent/actions/tune/action";
import { boolParam, intParam } from "@/agent/actions/tune/params";
import { readSysctlValue, setSysctlValue, sysctlFileSortsAfter } from "@/server/domain/tuning/sysctl-conf";

const KEY = "kernel.sched_rt_runtime_us";
const PROC = "proc/sys/kernel/sched_rt_runtime_us";
/** Ours alone; 99- so it is read after the distribution's files (only /etc/sysctl.conf and 99-z… come later). */
export const SYSCTL_FILE = "etc/sysctl.d/99-nfvdeck.conf";
const SEARCH_DIRS = ["etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d"];

const params = z
  .object({
    /** -1 disables RT throttling (KVM4NFV §2.2.2); otherwise µs per sched_rt_period_us */
    value: intParam(-1, 1_000_000).default(-1),
    /** also write /etc/sysctl.d/99-nfvdeck.conf so the value survives a reboot */
    persist: boolParam.default(true),
  })
  .strict();

/** Other sysctl files that set the key and are read after ours (they would win at boot). */
async function overriding(fs: HostFs, value: string): Promise<string[]> {
  const out: string[] = [];
  const files = ["etc/sysctl.conf"];
  for (const dir of SEARCH_DIRS) for (const name of (await fs.listDir(dir)) ?? []) if (name.endsWith(".conf")) files.push(`${dir}/${name}`);
  for (const rel of files) {
    if (rel === SYSCTL_FILE) continue;
    const text = await fs.readTextOptional(rel);
    const v = text === null ? null : readSysctlValue(text, KEY);
    if (v !== null && v !== value && sysctlFileSortsAfter(`/${rel}`, `/${SYSCTL_FILE}`)) out.push(`/${rel} sets ${KEY} = ${v}`);
  }
  return out;
}

export const sysctlSchedRtRuntimeUs = defineAction({
  id: "tune.sysctl.sched_rt_runtime_us",
  params,
  async plan(fs, p) {
    const value = String(p.value);
    const current = await fs.readText(PROC);
    if (current === null) throw new TuneHostError(`${PROC} does not exist on this host`);
    const changes: PlannedChange[] = [];
    if (current.trim() !== value) {
      changes.push(change(PROC, current, `${value}\n`, "runtime", value === "-1" ? "disable RT throttling now (sysctl -w)" : `RT tasks may run ${value} µs per period`));
    }
    const notes: string[] = [];
    if (p.persist) {
      const conf = await fs.readText(SYSCTL_FILE);
      const target = setSysctlValue(conf, KEY, value, "written by nfvdeck (tune.sysctl.sched_rt_runtime_us); rollback restores or removes it");
      if (conf === null || readSysctlValue(conf, KEY) !== value) {
        changes.push(change(SYSCTL_FILE, conf, target, "boot", "persist across reboots (systemd-sysctl reads it at boot)"));
      }
      for (const o of await overriding(fs, value)) notes.push(`${o}: it is read after /${SYSCTL_FILE} and would override it at boot`);
    } else {
      notes.push("not persisted: the value returns to the distribution default at the next boot");
    }
    return { changes, skipped: [], notes };
  },
});
