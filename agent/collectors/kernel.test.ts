import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import {
  bannedCpusFromVars,
  configHasNohzFull,
  computeIsolatedCpus,
  parseBracketChoice,
  parseCmdline,
  parseCmdlineParams,
  parseIsolcpus,
  parsePreemptModel,
  parseShellAssignments,
  parseSysCpuList,
  findProcessesCached,
  read,
  readIsolatedCpus,
  readNohzFullConfig,
} from "@/agent/collectors/kernel";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");
const GUIDE_HOST =
  "isolcpus=11-15,31-35 nohz_full=11-15,31-35 rcu_nocbs=11-15,31-35 iommu=pt intel_iommu=on default_hugepagesz=1G";

describe("parseCmdlineParams", () => {
  it.each([
    ["", []],
    ["quiet", [{ key: "quiet", value: null }]],
    ["a=1 b= c", [{ key: "a", value: "1" }, { key: "b", value: "" }, { key: "c", value: null }]],
    ['dyndbg="file x.c +p" ro', [{ key: "dyndbg", value: "file x.c +p" }, { key: "ro", value: null }]],
    ["ro -- --init-arg=1", [{ key: "ro", value: null }]],
    ["  a=1\n", [{ key: "a", value: "1" }]],
  ])("%j", (text, params) => {
    expect(parseCmdlineParams(text)).toEqual(params);
  });
});

describe("parseIsolcpus", () => {
  it.each([
    ["managed_irq,domain,2-5", ["managed_irq", "domain"], [2, 3, 4, 5]],
    ["2-5", [], [2, 3, 4, 5]],
    ["nohz,domain,1,3", ["nohz", "domain"], [1, 3]],
    ["domain", ["domain"], []],
    ["2-", [], null],
  ])("%j", (raw, flags, cpus) => {
    expect(parseIsolcpus(raw)).toEqual({ flags, cpus });
  });
});

describe("parseCmdline", () => {
  it("the guide's host line", () => {
    const c = parseCmdline(GUIDE_HOST);
    expect(c.isolcpus).toEqual({ flags: [], cpus: [11, 12, 13, 14, 15, 31, 32, 33, 34, 35], raw: "11-15,31-35" });
    expect(c.nohzFull?.cpus).toEqual([11, 12, 13, 14, 15, 31, 32, 33, 34, 35]);
    expect(c.rcuNocbs?.cpus).toEqual(c.nohzFull?.cpus);
    expect(c.iommu).toBe("pt");
    expect(c.intelIommu).toBe("on");
    expect(c.defaultHugepagesz).toBe("1G");
    expect(c.hugepagesz).toEqual([]);
  });

  it("the guide's guest line", () => {
    const c = parseCmdline("isolcpus=1 nohz_full=1 rcu_nocbs=1 mce=off idle=poll default_hugepagesz=1G hugepagesz=1G");
    expect(c.mce).toBe("off");
    expect(c.idle).toBe("poll");
    expect(c.hugepagesz).toEqual(["1G"]);
  });

  it("isolcpus flags", () => {
    const c = parseCmdline("isolcpus=managed_irq,domain,2-5");
    expect(c.isolcpus?.flags).toEqual(["managed_irq", "domain"]);
    expect(c.isolcpus?.cpus).toEqual([2, 3, 4, 5]);
  });

  it("empty, truncated and malformed lines", () => {
    expect(parseCmdline("").params).toEqual([]);
    const t = parseCmdline("ro isolcpus=2-3 nohz_full=2-");
    expect(t.nohzFull).toEqual({ raw: "2-", cpus: null });
    expect(parseCmdline("nohz_full=(null)").nohzFull?.cpus).toEqual([]);
    expect(parseCmdline("rcu_nocbs").rcuNocbs).toEqual({ raw: "", cpus: [] });
    expect(parseCmdline("processor.max_cstate=1 intel_idle.max_cstate=0 tsc=reliable intel_pstate=disable")).toMatchObject({
      processorMaxCstate: "1",
      intelIdleMaxCstate: "0",
      tsc: "reliable",
      intelPstate: "disable",
    });
  });
});

describe("sysfs values", () => {
  it.each([
    [null, null],
    ["(null)\n", []],
    ["\n", []],
    ["", []],
    ["4-5\n", [4, 5]],
    ["abc", null],
  ])("parseSysCpuList(%j)", (text, cpus) => {
    expect(parseSysCpuList(text)).toEqual(cpus);
  });

  it.each([
    ["always madvise [never]\n", "never"],
    ["[always] madvise never", "always"],
    ["always madvise never", null],
    [null, null],
  ])("parseBracketChoice(%j)", (text, choice) => {
    expect(parseBracketChoice(text)).toBe(choice);
  });

  it.each([
    ["Linux version 4.2.0-rt5 #1 SMP PREEMPT RT Tue", "PREEMPT_RT"],
    ["Linux version 6.6.0-rt #1 SMP PREEMPT_RT Mon", "PREEMPT_RT"],
    ["#1 SMP PREEMPT_DYNAMIC @0", "PREEMPT_DYNAMIC"],
    ["#1 SMP PREEMPT Mon", "PREEMPT"],
    ["#101-Ubuntu SMP Tue", "NONE"],
    [null, null],
  ])("parsePreemptModel(%j)", (v, model) => {
    expect(parsePreemptModel(v)).toBe(model);
  });
});

describe("configHasNohzFull", () => {
  it.each([
    ["", false],
    ["CONFIG_NO_HZ_FULL=y\n", true],
    ["# CONFIG_NO_HZ_FULL is not set\nCONFIG_NO_HZ_IDLE=y\n", false],
    ["CONFIG_NO_HZ_FULL_X=y\n", false],
  ])("%j → %s", (text, yes) => {
    expect(configHasNohzFull(text)).toBe(yes);
  });
});

describe("isolated set", () => {
  it.each([
    [{ cmdline: GUIDE_HOST, sysIsolated: "11-15,31-35", sysNohzFull: "11-15,31-35" }, "11-15,31-35"],
    [{ cmdline: "nohz_full=4-7 rcu_nocbs=4-9", sysIsolated: "", sysNohzFull: "4-7" }, "4-9"],
    [{ cmdline: "quiet", sysIsolated: "2", sysNohzFull: "(null)" }, "2"],
    [{ cmdline: null, sysIsolated: null, sysNohzFull: null }, ""],
    [{ cmdline: "isolcpus=managed_irq,domain,2-5 nohz_full=2-", sysIsolated: "garbage", sysNohzFull: "(null)" }, "2-5"],
  ])("%j → %s", (input, expected) => {
    const cpus = computeIsolatedCpus(input);
    expect(cpus.join(",")).toBe(expected === "" ? "" : expected.split(",").flatMap((p) => {
      const [a, b] = p.split("-").map(Number);
      return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
    }).join(","));
  });
});

describe("irqbalance configuration", () => {
  it("shell assignments with quotes and comments", () => {
    const vars = parseShellAssignments('#IRQBALANCE_BANNED_CPULIST=1\nIRQBALANCE_BANNED_CPULIST="11-15,31-35"\nX=1 # c\n');
    expect(vars.get("IRQBALANCE_BANNED_CPULIST")).toBe("11-15,31-35");
    expect(vars.get("X")).toBe("1");
  });
  it.each([
    [{ IRQBALANCE_BANNED_CPULIST: "2-3" }, { cpus: [2, 3], variable: "IRQBALANCE_BANNED_CPULIST" }],
    [{ IRQBALANCE_BANNED_CPUS: "f800" }, { cpus: [11, 12, 13, 14, 15], variable: "IRQBALANCE_BANNED_CPUS" }],
    [{ IRQBALANCE_BANNED_CPUS: "" }, null],
    [{}, null],
  ])("%j", (vars, expected) => {
    expect(bannedCpusFromVars(new Map(Object.entries(vars)))).toEqual(expected);
  });
});

describe("kernel section from fixtures", () => {
  it("kvm4nfv-baseline (reconstructed from the guide)", async () => {
    const k = await read(new HostFs(path.join(FIXTURES, "kvm4nfv-baseline")));
    expect(k).not.toBeNull();
    expect(k!.preemptRt).toBe(true);
    expect(k!.cmdline?.isolcpus?.cpus).toEqual([11, 12, 13, 14, 15, 31, 32, 33, 34, 35]);
    expect(k!.isolatedCpus).toEqual([11, 12, 13, 14, 15, 31, 32, 33, 34, 35]);
    expect(k!.housekeepingCpus.length).toBe(26);
    expect(k!.sysctl.schedRtRuntimeUs).toBe(-1);
    expect(k!.clocksource?.current).toBe("tsc");
    expect(k!.irqbalance.running).toBe(false);
    expect(k!.irqbalance.bannedCpus).toEqual(k!.isolatedCpus);
    expect(k!.nohzFullSupported).toBe(true);
    expect(k!.thp.enabled).toBe("never");
  });

  it("ht-on-rdt: isolcpus flags, no nohz_full, irqbalance running without a ban", async () => {
    const k = await read(new HostFs(path.join(FIXTURES, "ht-on-rdt")));
    expect(k!.cmdline?.isolcpus?.flags).toEqual(["managed_irq", "domain"]);
    expect(k!.cmdline?.nohzFull).toBeNull();
    expect(k!.sysNohzFull).toEqual([]);
    expect(k!.irqbalance).toMatchObject({ running: true, pids: [1187], bannedCpus: null });
  });

  it("broken-partial never throws and says what is wrong", async () => {
    const k = await read(new HostFs(path.join(FIXTURES, "broken-partial")));
    expect(k!.cmdline?.nohzFull).toEqual({ raw: "2-", cpus: null });
    expect(k!.sysNohzFull).toEqual([]);
    expect(k!.sysctl.schedRtRuntimeUs).toBeNull();
    expect(k!.thp.enabled).toBeNull();
    expect(k!.isolatedCpus).toEqual([2, 3]);
    expect(k!.warnings.some((w) => w.includes("nohz_full"))).toBe(true);
  });

  it("readIsolatedCpus gives the housekeeping set for pinning", async () => {
    const r = await readIsolatedCpus(new HostFs(path.join(FIXTURES, "ht-on-rdt")));
    expect(r.isolated.length).toBe(32);
    expect(r.housekeeping).toEqual([0, 1, 2, 3, ...Array.from({ length: 24 }, (_, i) => 20 + i), ...Array.from({ length: 20 }, (_, i) => 60 + i)]);
  });

  it("this-vm: no cpu/nohz_full, and proc/config.gz says NO_HZ_FULL is not set", async () => {
    const k = await read(new HostFs(path.join(FIXTURES, "this-vm")));
    expect(k!.sysNohzFull).toBeNull();
    expect(k!.nohzFullSupported).toBe(false);
  });

  it("empty tree is not available", async () => {
    expect(await read(new HostFs(path.join(FIXTURES, "empty-tree")))).toBeNull();
  });
});

describe("per-process caches (the daemon re-reads these every collection)", () => {
  function tempRoot(): string {
    return mkdtempSync(path.join(os.tmpdir(), "nfvdeck-kernel-cache-"));
  }
  function put(root: string, rel: string, content: string | Buffer): void {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }

  it("readNohzFullConfig follows proc/config.gz when its bytes change (cache keyed by content)", async () => {
    const root = tempRoot();
    try {
      const fs = new HostFs(root);
      expect(await readNohzFullConfig(fs, "6.1.0")).toBeNull();
      put(root, "proc/config.gz", gzipSync("CONFIG_NO_HZ_FULL=y\n"));
      expect(await readNohzFullConfig(fs, "6.1.0")).toBe(true);
      expect(await readNohzFullConfig(fs, "6.1.0")).toBe(true);
      put(root, "proc/config.gz", gzipSync("# CONFIG_NO_HZ_FULL is not set\nCONFIG_NO_HZ_IDLE=y\n"));
      expect(await readNohzFullConfig(fs, "6.1.0")).toBe(false);
      put(root, "proc/config.gz", "not gzip");
      expect(await readNohzFullConfig(fs, "6.1.0")).toBeNull();
      put(root, "boot/config-6.1.0", "CONFIG_NO_HZ_FULL=y\n");
      expect(await readNohzFullConfig(fs, "6.1.0")).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("findProcessesCached re-checks the known pid and rescans when it is gone", async () => {
    const root = tempRoot();
    try {
      const fs = new HostFs(root);
      put(root, "proc/7/comm", "bash\n");
      expect(await findProcessesCached(fs, "irqbalance")).toEqual([]);
      put(root, "proc/10/comm", "irqbalance\n");
      expect(await findProcessesCached(fs, "irqbalance")).toEqual([10]);
      expect(await findProcessesCached(fs, "irqbalance")).toEqual([10]);
      put(root, "proc/10/comm", "bash\n"); // pid reused by another program
      put(root, "proc/20/comm", "irqbalance\n");
      expect(await findProcessesCached(fs, "irqbalance")).toEqual([20]);
      rmSync(path.join(root, "proc/20"), { recursive: true });
      expect(await findProcessesCached(fs, "irqbalance")).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("a partial tree (cpu/isolated, no /proc/cmdline)", () => {
  it("reports the sysfs isolation it could read and marks the cmdline absent", async () => {
    const k = await read(new HostFs(path.join(FIXTURES, "partial-sysfs-isolated")));
    expect(k).not.toBeNull();
    expect(k?.cmdline).toBeNull();
    expect(k?.release).toBeNull();
    expect(k?.sysIsolated).toEqual([2, 3]);
    expect(k?.isolatedCpus).toEqual([2, 3]);
    expect(k?.onlineCpus).toEqual([0, 1, 2, 3]);
    expect(k?.housekeepingCpus).toEqual([0, 1]);
  });

  it("a tree with none of the kernel's sources still has no kernel section", async () => {
    expect(await read(new HostFs(path.join(FIXTURES, "empty-tree")))).toBeNull();
  });
});
