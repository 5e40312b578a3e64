import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { readResctrl, toQosSamples } from "@/agent/collectors/resctrl";
import { resctrlSection } from "@/server/contract/sections/resctrl";
import type { VmEntry, VmsSection } from "@/server/contract/sections/vms";
import { GROUP_PREFIX, VnfGroupSync, kernelOps, vnfTargets, type ResctrlGroupOps } from "@/agent/resctrl-groups/vnf-groups";
import { flockResctrl, noLock } from "@/agent/resctrl-groups/lock";

const FIXTURES = path.resolve(__dirname, "../fixtures");
const RES = "sys/fs/resctrl";
const dirs: string[] = [];

/** A writable copy of a fixture's resctrl tree (and nothing else: the sync touches only resctrl). */
function copyTree(fixture: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-vnfgroups-"));
  dirs.push(root);
  cpSync(path.join(FIXTURES, fixture, RES), path.join(root, RES), { recursive: true });
  return root;
}
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/**
 * The kernel's side of the directory operations on a plain copy: mkdir of a group makes its tasks,
 * cpus_list and mon_data/mon_L3_XX files (values as the kernel prints them, "Unavailable" included);
 * rmdir removes it with its pseudo-files; at most `rmids` monitoring groups exist (then mkdir: ENOSPC).
 */
function emulatedKernel(fs: HostFs, rmids: number, values: (group: string, domain: string) => Record<string, string>): ResctrlGroupOps & { mkdirs: string[]; removed: string[] } {
  const real = kernelOps(fs);
  const mkdirs: string[] = [];
  const removed: string[] = [];
  const countMonGroups = (): number => {
    let n = 1;
    const root = fs.resolve(RES);
    for (const name of readdirSync(root)) {
      if (["info", "mon_groups", "mon_data"].includes(name)) continue;
      if (existsSync(path.join(root, name, "schemata"))) n += 1 + (existsSync(path.join(root, name, "mon_groups")) ? readdirSync(path.join(root, name, "mon_groups")).length : 0);
    }
    return n + readdirSync(path.join(root, "mon_groups")).length;
  };
  return {
    mkdirs,
    removed,
    async mkdir(rel) {
      if (countMonGroups() >= rmids) throw Object.assign(new Error(`mkdir ${rel}: No space left on device`), { code: "ENOSPC" });
      await real.mkdir(rel);
      mkdirs.push(rel);
      const abs = fs.resolve(rel);
      writeFileSync(path.join(abs, "tasks"), "");
      writeFileSync(path.join(abs, "cpus_list"), "\n");
      for (const d of readdirSync(fs.resolve(`${RES}/mon_data`))) {
        mkdirSync(path.join(abs, "mon_data", d), { recursive: true });
        for (const [file, text] of Object.entries(values(rel, d))) writeFileSync(path.join(abs, "mon_data", d, file), text);
      }
    },
    async removeGroup(rel) {
      rmSync(fs.resolve(rel), { recursive: true });
      removed.push(rel);
    },
    writeTask: real.writeTask,
  };
}

const KERNEL_VALUES = (_group: string, domain: string) => ({
  llc_occupancy: domain === "mon_L3_00" ? "1048576\n" : "Unavailable\n",
  mbm_total_bytes: "  123456789\n",
  mbm_local_bytes: "Unavailable\n",
});

function vm(name: string | null, pid: number, vcpuTids: number[], emuTids: number[] = []): VmEntry {
  const thread = (tid: number, vcpu: number | null) => ({ tid, comm: vcpu === null ? "qemu-system-x86" : `CPU ${vcpu}/KVM`, vcpu, cpusAllowed: [2, 3] });
  return {
    pid,
    binary: "qemu-system-x86_64",
    name,
    uuid: null,
    accel: "kvm",
    smpCpus: vcpuTids.length,
    monitors: [],
    threadsNamed: true,
    vcpuThreads: vcpuTids.map((t, i) => thread(t, i)),
    emulatorThreads: [pid, ...emuTids].map((t) => thread(t, null)),
    emulatorCpus: [0],
  };
}
const vms = (...entries: VmEntry[]): VmsSection => ({ vms: entries, warnings: [] });
const read = (root: string, rel: string) => readFileSync(path.join(root, RES, rel), "utf8");

describe("vnfTargets", () => {
  it("takes every named VM's threads (vCPU and emulator), skips unnamed ones", () => {
    expect(vnfTargets(vms(vm("fw", 100, [101, 102], [103]), vm(null, 200, [201])))).toEqual([{ vnf: "fw", tids: [100, 101, 102, 103] }]);
  });
});

describe.each([["ht-on-rdt"], ["ht-on-rdt-cdp"]])("VnfGroupSync on a writable %s resctrl tree", (fixture) => {
  it("creates a group per VNF, writes its threads, reads it, adds late threads, removes it when the VM goes", async () => {
    const root = copyTree(fixture);
    const fs = new HostFs(root);
    const ops = emulatedKernel(fs, 64, KERNEL_VALUES);
    const sync = new VnfGroupSync({ fs, ops, lock: noLock });

    const first = await sync.sync(vms(vm("fw", 100, [101, 102]), vm("dpi", 300, [301])));
    expect(first).toEqual([
      { vnf: "dpi", path: "mon_groups/nfvdeck-dpi", status: "monitored", message: null, taskCount: 2 },
      { vnf: "fw", path: "mon_groups/nfvdeck-fw", status: "monitored", message: null, taskCount: 3 },
    ]);
    expect(read(root, "mon_groups/nfvdeck-fw/tasks")).toBe("100\n101\n102\n");
    expect(resctrlSection.safeParse({ ...(await readResctrl(fs))!.section, vnfGroups: first }).success).toBe(true);

    // read back through the collector: padded counter, Unavailable on one domain
    const reading = (await readResctrl(fs))!;
    const fw = reading.monitoring.find((g) => g.path === "mon_groups/nfvdeck-fw")!;
    expect(fw.domains.map((d) => [d.domain, d.values.llcOccupancy, d.values.mbmTotalBytes.value])).toEqual([
      ["mon_L3_00", { value: "1048576", status: "ok" }, "123456789"],
      ["mon_L3_01", { value: null, status: "Unavailable" }, "123456789"],
    ]);
    expect(toQosSamples(reading.monitoring, new Date(0)).filter((s) => s.group === "mon_groups/nfvdeck-fw")).toHaveLength(2);

    // a vCPU thread started later: added on the next cycle, the others are not written again
    await sync.sync(vms(vm("fw", 100, [101, 102, 104]), vm("dpi", 300, [301])));
    expect(read(root, "mon_groups/nfvdeck-fw/tasks")).toBe("100\n101\n102\n104\n");

    // dpi's VM exits: its group goes; the other tool's group (vnf-a) stays
    const third = await sync.sync(vms(vm("fw", 100, [101, 102, 104])));
    expect(third?.map((g) => g.vnf)).toEqual(["fw"]);
    expect(existsSync(path.join(root, RES, "mon_groups/nfvdeck-dpi"))).toBe(false);
    expect(existsSync(path.join(root, RES, "mon_groups/vnf-a"))).toBe(true);
    expect(ops.mkdirs).toEqual([`${RES}/mon_groups/nfvdeck-dpi`, `${RES}/mon_groups/nfvdeck-fw`]);
  });

  it("at start removes stale nfvdeck-* monitoring groups (root and inside control groups) and nothing else", async () => {
    const root = copyTree(fixture);
    const fs = new HostFs(root);
    for (const g of ["mon_groups/nfvdeck-old", "rt-vnf/mon_groups/nfvdeck-older"]) mkdirSync(path.join(root, RES, g, "mon_data"), { recursive: true });
    const before = readdirSync(path.join(root, RES, "mon_groups")).filter((n) => !n.startsWith(GROUP_PREFIX));
    const ops = emulatedKernel(fs, 64, KERNEL_VALUES);
    const sync = new VnfGroupSync({ fs, ops, lock: noLock });
    expect(await sync.start()).toEqual(["mon_groups/nfvdeck-old", "rt-vnf/mon_groups/nfvdeck-older"]);
    expect(readdirSync(path.join(root, RES, "mon_groups"))).toEqual(before);
    expect(readdirSync(path.join(root, RES, "rt-vnf/mon_groups"))).toEqual(["vnf-rt-0"]);
    expect(existsSync(path.join(root, RES, "rt-vnf/schemata"))).toBe(true);
  });

  it("RMID exhaustion: the VNF that gets no group is reported no-rmid, the others are monitored", async () => {
    const root = copyTree(fixture);
    const fs = new HostFs(root);
    // root + vnf-a + rt-vnf + vnf-rt-0 already hold 4 RMIDs; 5 leaves room for one more group
    const ops = emulatedKernel(fs, 5, KERNEL_VALUES);
    const sync = new VnfGroupSync({ fs, ops, lock: noLock });
    const out = await sync.sync(vms(vm("a-vnf", 10, [11]), vm("b-vnf", 20, [21])));
    expect(out).toEqual([
      { vnf: "a-vnf", path: "mon_groups/nfvdeck-a-vnf", status: "monitored", message: null, taskCount: 2 },
      { vnf: "b-vnf", path: null, status: "no-rmid", message: expect.stringMatching(/ENOSPC/), taskCount: null },
    ]);
    // the RMID comes free when a-vnf goes: b-vnf gets its group on the next cycle
    const next = await sync.sync(vms(vm("b-vnf", 20, [21])));
    expect(next?.[0]).toMatchObject({ vnf: "b-vnf", status: "monitored" });
  });

  it("a VNF with a CAT control group nfvdeck-<vnf>: threads go to the class, monitoring inside it", async () => {
    const root = copyTree(fixture);
    const fs = new HostFs(root);
    const ctrl = path.join(root, RES, "nfvdeck-fw");
    mkdirSync(path.join(ctrl, "mon_groups"), { recursive: true });
    writeFileSync(path.join(ctrl, "schemata"), read(root, "schemata"));
    writeFileSync(path.join(ctrl, "tasks"), "");
    const ops = emulatedKernel(fs, 64, KERNEL_VALUES);
    const out = await new VnfGroupSync({ fs, ops, lock: noLock }).sync(vms(vm("fw", 100, [101])));
    expect(out).toEqual([{ vnf: "fw", path: "nfvdeck-fw/mon_groups/nfvdeck-fw", status: "monitored", message: null, taskCount: 2 }]);
    expect(read(root, "nfvdeck-fw/tasks")).toBe("100\n101\n");
    expect(read(root, "nfvdeck-fw/mon_groups/nfvdeck-fw/tasks")).toBe("100\n101\n");
    expect(existsSync(ctrl)).toBe(true);
  });
});

describe("AMD tree (MB lines in GB/s units, padded schemata)", () => {
  it("monitors and reads back with the AMD schemata", async () => {
    const root = copyTree("ht-on-rdt");
    writeFileSync(path.join(root, RES, "schemata"), "    L3:0=ffff;1=ffff\n    MB:0=2048;1=2048\n");
    const fs = new HostFs(root);
    const out = await new VnfGroupSync({ fs, ops: emulatedKernel(fs, 64, KERNEL_VALUES), lock: noLock }).sync(vms(vm("lb", 7, [8])));
    expect(out?.[0]?.status).toBe("monitored");
    const reading = (await readResctrl(fs))!;
    expect(reading.section.controlGroups[0]?.schemata.find((l) => l.resource === "MB")?.domains).toEqual([{ id: 0, value: "2048" }, { id: 1, value: "2048" }]);
    expect(reading.monitoring.some((g) => g.path === "mon_groups/nfvdeck-lb")).toBe(true);
  });
});

describe("no resctrl", () => {
  it("sync is null and touches nothing", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-vnfgroups-"));
    dirs.push(root);
    const fs = new HostFs(root);
    expect(await new VnfGroupSync({ fs, ops: kernelOps(fs), lock: noLock }).sync(vms(vm("fw", 1, [2])))).toBeNull();
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("flockResctrl", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-lock-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tryLock = () => spawnSync("flock", ["--exclusive", "--nonblock", dir, "true"]).status;

  it("holds LOCK_EX on the directory during the work, releases it after", async () => {
    expect(tryLock()).toBe(0);
    const inside = await flockResctrl(dir)(async () => tryLock());
    expect(inside).toBe(1);
    expect(tryLock()).toBe(0);
  });

  it("releases it when the work throws", async () => {
    await expect(flockResctrl(dir)(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(tryLock()).toBe(0);
  });
});

describe("resctrlWithVnfGroups (the run command's resctrl collector)", () => {
  it("syncs, then reports the groups in the section; a failed lock becomes a warning, not a failed section", async () => {
    const { resctrlWithVnfGroups } = await import("@/agent/resctrl-groups/collector");
    const root = copyTree("ht-on-rdt");
    const fs = new HostFs(root);
    // no /proc in the copy: no VMs, so every nfvdeck-* group is garbage
    mkdirSync(path.join(root, RES, "mon_groups/nfvdeck-gone/mon_data"), { recursive: true });
    const ok = resctrlSection.parse(await resctrlWithVnfGroups(new VnfGroupSync({ fs, ops: emulatedKernel(fs, 64, KERNEL_VALUES), lock: noLock })).read(fs));
    expect(ok.vnfGroups).toEqual([]);
    expect(ok.monGroups.map((g) => g.path)).not.toContain("mon_groups/nfvdeck-gone");
    const failing = new VnfGroupSync({ fs, ops: kernelOps(fs), lock: () => Promise.reject(new Error("could not lock")) });
    const section = resctrlSection.parse(await resctrlWithVnfGroups(failing).read(fs));
    expect(section.warnings).toContain("per-VNF monitoring groups: could not lock");
  });
});
