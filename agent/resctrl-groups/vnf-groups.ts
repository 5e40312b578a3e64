/**
 * Agent-owned resctrl monitoring groups, one per VNF running on this host.
 *
 * VNF ↔ VM: a VNF's QEMU process is started with `-name guest=<VNF name>` (libvirt does so with the
 * domain name, and the console names the domain after the VNF), so the `vms` section's `name` is the VNF
 * name. Every named QEMU process is monitored; the server links the group to its VNF by that name.
 *
 * Groups are named `nfvdeck-<vnf>`: under the root's mon_groups/, or inside the VNF's CAT control group
 * (the control group `nfvdeck-<vnf>` that tuning's tune.cat configures) when it exists — the threads are
 * then moved into the control group first (a MON group only accepts tasks of its parent CTRL_MON group).
 * Only directories with our prefix are ever removed; other tools' groups are never touched, and control
 * groups are left to tuning. At start every `nfvdeck-*` monitoring group is removed (a crash may have
 * leaked them, and leaked groups hold scarce RMIDs). mkdir failing with ENOSPC means no RMID is free:
 * that VNF is reported "no-rmid" and the others carry on.
 */
import { mkdirSync, openSync, closeSync, writeSync, rmdirSync } from "node:fs";
import type { HostFs } from "@/agent/hostfs";
import type { VmsSection } from "@/server/contract/sections/vms";
import type { ResctrlVnfGroup } from "@/server/contract/sections/resctrl";
import { countTasks } from "@/agent/collectors/resctrl";
import type { ResctrlLock } from "@/agent/resctrl-groups/lock";

export const GROUP_PREFIX = "nfvdeck-";
const ROOT = "sys/fs/resctrl";
const NOT_GROUPS = new Set(["info", "mon_groups", "mon_data"]);
/** resctrl group names are directory names; keep to what every tool can print and the contract accepts */
const SAFE_NAME = /^[A-Za-z0-9_.-]{1,120}$/;

/** The directory operations the kernel turns into RMID/CLOSID allocation; injectable so tests can emulate them. */
export interface ResctrlGroupOps {
  /** mkdir(2); throws the errno error (ENOSPC = no RMID/CLOSID free) */
  mkdir(rel: string): Promise<void>;
  /** rmdir(2) of a group: the kernel frees it with its pseudo-files, moving its tasks to the parent */
  removeGroup(rel: string): Promise<void>;
  /** one write(2) of one task id to a tasks file (the kernel takes one id per write) */
  writeTask(rel: string, tid: number): Promise<void>;
}

/** The real kernel interface, relative to the HostFs root. */
export function kernelOps(fs: HostFs): ResctrlGroupOps {
  return {
    async mkdir(rel) {
      mkdirSync(fs.resolve(rel));
    },
    async removeGroup(rel) {
      rmdirSync(fs.resolve(rel));
    },
    async writeTask(rel, tid) {
      // O_APPEND: resctrl ignores the offset; on a plain file (a fixture copy) it adds a line
      const fd = openSync(fs.resolve(rel), "a");
      try {
        writeSync(fd, `${tid}\n`);
      } finally {
        closeSync(fd);
      }
    },
  };
}

export interface VnfTarget {
  vnf: string;
  tids: number[];
}

/** Named QEMU processes → the VNFs to monitor with all their threads (vCPU and emulator). Pure. */
export function vnfTargets(vms: VmsSection | null): VnfTarget[] {
  const byName = new Map<string, Set<number>>();
  for (const vm of vms?.vms ?? []) {
    if (vm.name === null) continue;
    const tids = byName.get(vm.name) ?? new Set<number>();
    tids.add(vm.pid);
    for (const t of [...vm.vcpuThreads, ...vm.emulatorThreads]) tids.add(t.tid);
    byName.set(vm.name, tids);
  }
  return [...byName].map(([vnf, tids]) => ({ vnf, tids: [...tids].sort((a, b) => a - b) })).sort((a, b) => a.vnf.localeCompare(b.vnf));
}

function errnoOf(err: unknown): string | null {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : null;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

function tidsOf(text: string | null): Set<number> {
  const out = new Set<number>();
  for (const l of (text ?? "").split("\n")) if (/^\d+$/.test(l.trim())) out.add(Number(l.trim()));
  return out;
}

/** Every `nfvdeck-*` monitoring group now in the tree, as "mon_groups/x" or "<ctrl>/mon_groups/x". */
async function ownMonGroups(fs: HostFs): Promise<string[]> {
  const parents = [""];
  for (const name of (await fs.listDir(ROOT)) ?? []) {
    if (!NOT_GROUPS.has(name) && (await fs.exists(`${ROOT}/${name}/schemata`))) parents.push(name);
  }
  const out: string[] = [];
  for (const p of parents) {
    const base = p === "" ? "mon_groups" : `${p}/mon_groups`;
    for (const m of (await fs.listDir(`${ROOT}/${base}`)) ?? []) if (m.startsWith(GROUP_PREFIX)) out.push(`${base}/${m}`);
  }
  return out;
}

export interface VnfGroupSyncOptions {
  fs: HostFs;
  ops: ResctrlGroupOps;
  lock: ResctrlLock;
}

/**
 * Keeps one monitoring group per VNF on this host. Call `start()` once (removes leaked `nfvdeck-*`
 * groups), then `sync(vms)` every cycle: creates missing groups, adds threads that appeared since, and
 * removes groups whose VNF is gone. Never throws for one VNF's failure; the outcome says what happened.
 */
export class VnfGroupSync {
  private started = false;
  constructor(private readonly opts: VnfGroupSyncOptions) {}

  private async mounted(): Promise<boolean> {
    return this.opts.fs.exists(`${ROOT}/info`);
  }

  /** Removes every monitoring group with our prefix (after a crash they would leak RMIDs). Returns the paths removed. */
  async start(): Promise<string[]> {
    this.started = true;
    if (!(await this.mounted())) return [];
    return this.opts.lock(async () => {
      const removed: string[] = [];
      for (const g of await ownMonGroups(this.opts.fs)) {
        try {
          await this.opts.ops.removeGroup(`${ROOT}/${g}`);
          removed.push(g);
        } catch {
          // left for the next cycle's garbage collection
        }
      }
      return removed;
    });
  }

  /** One cycle; null when resctrl is not mounted. */
  async sync(vms: VmsSection | null): Promise<ResctrlVnfGroup[] | null> {
    if (!this.started) await this.start();
    const { fs, ops } = this.opts;
    if (!(await this.mounted())) return null;
    const targets = vnfTargets(vms);
    return this.opts.lock(async () => {
      const outcome: ResctrlVnfGroup[] = [];
      const placed: Array<VnfTarget & { ctrl: string | null; path: string }> = [];
      for (const t of targets) {
        if (!SAFE_NAME.test(t.vnf)) {
          outcome.push({ vnf: t.vnf.slice(0, 120), path: null, status: "bad-name", message: "VM name is not usable as a resctrl group name", taskCount: null });
          continue;
        }
        const name = `${GROUP_PREFIX}${t.vnf}`;
        const ctrl = (await fs.exists(`${ROOT}/${name}/schemata`)) ? name : null;
        placed.push({ ...t, ctrl, path: ctrl === null ? `mon_groups/${name}` : `${ctrl}/mon_groups/${name}` });
      }
      // first free what is no longer wanted (the VNF's VM is gone, or it moved into/out of its control
      // group): the RMIDs released are then available to the groups created below
      const wanted = new Set(placed.map((p) => p.path));
      for (const g of await ownMonGroups(fs)) {
        if (wanted.has(g)) continue;
        try {
          await ops.removeGroup(`${ROOT}/${g}`);
        } catch {
          // retried next cycle
        }
      }
      for (const { ctrl, path, ...t } of placed) {
        const dir = `${ROOT}/${path}`;
        if (!(await fs.exists(dir))) {
          try {
            await ops.mkdir(dir);
          } catch (err) {
            const code = errnoOf(err);
            outcome.push(
              code === "ENOSPC"
                ? { vnf: t.vnf, path: null, status: "no-rmid", message: "no free RMID (mkdir: ENOSPC): too many monitoring groups on this host", taskCount: null }
                : { vnf: t.vnf, path: null, status: "error", message: `mkdir /${dir}: ${messageOf(err)}`, taskCount: null },
            );
            continue;
          }
        }
        let failed: string | null = null;
        // into the class of service first: a MON group only takes tasks of its parent CTRL_MON group
        const taskFiles = ctrl === null ? [`${dir}/tasks`] : [`${ROOT}/${ctrl}/tasks`, `${dir}/tasks`];
        for (const file of taskFiles) {
          const present = tidsOf(await fs.readTextOptional(file));
          for (const tid of t.tids) {
            if (present.has(tid)) continue;
            try {
              await ops.writeTask(file, tid);
            } catch (err) {
              // ESRCH: the thread exited since the vms section was read — it needs no group
              if (errnoOf(err) !== "ESRCH") failed = `write ${tid} to /${file}: ${messageOf(err)}`;
            }
          }
        }
        outcome.push({ vnf: t.vnf, path, status: failed === null ? "monitored" : "error", message: failed, taskCount: countTasks(await fs.readTextOptional(`${dir}/tasks`)) });
      }
      return outcome.sort((a, b) => a.vnf.localeCompare(b.vnf));
    });
  }
}
