import { z } from "zod";
import type { HostFs } from "@/agent/hostfs";
import { change, defineAction, TuneHostError, type PlannedChange } from "@/agent/actions/tune/action";
import { osFamily } from "@/agent/actions/tune/os-release";
import { CmdlineEditError, cmdlineSatisfies, editBlsEntry, editGrubDefaults, parseCmdlineEdit, type CmdlineEdit } from "@/server/domain/tuning/cmdline-edit";

const GRUB_DEFAULTS = "etc/default/grub";
const BLS_DIR = "boot/loader/entries";

const params = z
  .object({
    /** kernel parameters to set, space-separated: "isolcpus=managed_irq,domain,4-19 nohz_full=4-19" */
    args: z.string().max(2048).default(""),
    /** parameter names to remove, space- or comma-separated */
    remove: z.string().max(1024).default(""),
  })
  .strict()
  .transform((p, ctx): CmdlineEdit => {
    try {
      return parseCmdlineEdit(p.args, p.remove);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });

interface BootConfig {
  /** files to edit, with how */
  files: { rel: string; kind: "grub-defaults" | "bls" }[];
  /** regenerate grub.cfg after writing /etc/default/grub (Debian: update-grub; RHEL without BLS: grub2-mkconfig) */
  regenerate: string[] | null;
}

async function bootConfig(fs: HostFs): Promise<BootConfig> {
  const family = await osFamily(fs);
  const hasDefaults = (await fs.readText(GRUB_DEFAULTS)) !== null;
  const entries = ((await fs.listDir(BLS_DIR)) ?? []).filter((n) => n.endsWith(".conf")).map((n) => `${BLS_DIR}/${n}`);
  if (entries.length > 0 && family !== "debian") {
    // What `grubby --update-kernel=ALL --args=… --remove-args=…` edits: every BLS entry's options line,
    // and GRUB_CMDLINE_LINUX so kernels installed later inherit the change.
    return { files: [...entries.map((rel) => ({ rel, kind: "bls" as const })), ...(hasDefaults ? [{ rel: GRUB_DEFAULTS, kind: "grub-defaults" as const }] : [])], regenerate: null };
  }
  if (hasDefaults) {
    const regenerate = family === "rhel" ? ((await fs.exists("boot/grub2/grub.cfg")) ? ["grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"] : null) : ["update-grub"];
    return { files: [{ rel: GRUB_DEFAULTS, kind: "grub-defaults" }], regenerate };
  }
  throw new TuneHostError(`no boot configuration found (neither /${GRUB_DEFAULTS} nor /${BLS_DIR}/*.conf): the kernel command line is set elsewhere (a VM's launcher?)`);
}

function describe(edit: CmdlineEdit): string {
  return [...edit.set.map((a) => (a.value === null ? a.key : `${a.key}=${a.value}`)), ...edit.remove.map((k) => `-${k}`)].join(" ");
}

export const cmdline = defineAction({
  id: "tune.cmdline",
  params,
  async plan(fs, edit) {
    const config = await bootConfig(fs);
    const changes: PlannedChange[] = [];
    for (const f of config.files) {
      const text = await fs.readText(f.rel);
      if (text === null) continue;
      let target: string | null;
      try {
        target = f.kind === "bls" ? editBlsEntry(text, edit) : editGrubDefaults(text, edit);
      } catch (err) {
        if (err instanceof CmdlineEditError) throw new TuneHostError(`/${f.rel}: ${err.message}`);
        throw err;
      }
      if (target === null || target === text) continue;
      changes.push(change(f.rel, text, target, "boot", `${f.kind === "bls" ? "boot entry options" : "GRUB_CMDLINE_LINUX"}: ${describe(edit)} (next boot; never reboots by itself)`));
    }
    const notes = [config.regenerate ? `then ${config.regenerate.join(" ")} regenerates grub.cfg (run by apply and rollback on the real host)` : "boot entries edited in place, as grubby does"];
    return { changes, skipped: [], notes };
  },
  async bootState(fs, edit, appliedAt) {
    const running = (await fs.readTextOptional("proc/cmdline"))?.trim() ?? null;
    const expected = describe(edit);
    if (running === null) return { rebootRequired: true, problem: null, check: null };
    if (cmdlineSatisfies(running, edit)) {
      return { rebootRequired: false, problem: null, check: { path: "/proc/cmdline", ok: true, expected, actual: running, note: "the running kernel uses the new command line" } };
    }
    const bootId = (await fs.readTextOptional("proc/sys/kernel/random/boot_id"))?.trim() ?? null;
    const rebooted = appliedAt !== null && appliedAt.bootId !== null && bootId !== null && bootId !== appliedAt.bootId;
    if (rebooted) {
      const problem = "the host rebooted but the running kernel does not have the new command line (another boot entry chosen, or grub.cfg not regenerated)";
      return { rebootRequired: false, problem, check: { path: "/proc/cmdline", ok: false, expected, actual: running, note: problem } };
    }
    return { rebootRequired: true, problem: null, check: { path: "/proc/cmdline", ok: true, expected, actual: running, note: "reboot required: the boot configuration has the change, the running kernel not yet" } };
  },
  async commandsAfterWrite(fs) {
    const config = await bootConfig(fs);
    return config.regenerate ? [config.regenerate] : [];
  },
});

