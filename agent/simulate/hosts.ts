/**
 * Synthetic hosts for the demo lab and the bench: variants of the fixture platforms (the KVM4NFV baseline
 * 2 × E5-2699 v3, the HT-on RDT Skylake, the AMD EPYC, this VM) built as in-memory trees with the
 * fixture generator's building blocks, then read by the REAL collectors — so every section is exactly
 * what the agent would report for such a host, and the compliance findings follow from the files.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HostFs } from "@/agent/hostfs";
import { MemoryHostFs } from "@/agent/simulate/memory-hostfs";
import { collectSections } from "@/agent/report/collect";
import { SECTION_COLLECTORS, type SectionCollector } from "@/agent/collectors/registry";
import { readBios } from "@/agent/collectors/bios";
import { amdSpec, baselineSpec, buildHostTree, htOnRdtSpec, HSW_IDLE, resctrlTree, type HostSpec, type IrqSpec, type Tree } from "@/agent/fixtures/generate";
import type { ReportSections } from "@/server/contract/report";
import { TUNED_RT_SHAPE, type LatencyShape } from "@/agent/simulate/latency";
import { createRandom } from "@/agent/simulate/random";
import { qosGroupsFromResctrl, type QosGroupSpec } from "@/agent/simulate/qos";

export const HOST_KINDS = [
  "compliant",
  "ht-on",
  "no-nohz-full",
  "irq-on-isolated",
  "rt-throttling",
  "cstates-turbo",
  "amd-epyc",
  "vm-guest",
  "rdt",
] as const;
export type HostKind = (typeof HOST_KINDS)[number];

/** What a simulated host looks like to the measurement side. */
export interface HostProfile {
  kind: HostKind;
  /** short human description (README, demo output) */
  story: string;
  /** latency shape its cyclictest runs follow (its tuning decides it) */
  shape: LatencyShape;
  /** CPUs the measurement threads are pinned to, and cyclictest's main thread (housekeeping) */
  latencyCpus: number[];
  mainAffinity: number[];
  histogramSize: number;
  role: "compute-rt" | "compute" | "vnf-guest";
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

const BASE_ISOLATED = [...range(11, 15), ...range(31, 35)];
const BASE_HOUSEKEEPING = [...range(0, 10), ...range(16, 30)];

/** A newer RT kernel that exposes effective_affinity_list (≥ 4.13), for the IRQ story. */
const RT_414 = {
  osrelease: "4.14.87-rt49-kvm4nfv",
  version: "Linux version 4.14.87-rt49-kvm4nfv (builder@nfvi-build01) (gcc version 7.3.1 20180303 (Red Hat 7.3.1-5) (GCC)) #1 SMP PREEMPT RT Wed Jan 9 08:41:17 CST 2019",
};

function withKernel(spec: HostSpec, k: { osrelease: string; version: string }): HostSpec {
  return { ...spec, osrelease: k.osrelease, version: k.version, cmdline: spec.cmdline.replace(/vmlinuz-\S+/, `vmlinuz-${k.osrelease}`) };
}

/** Baseline NIC queues affined (smp and effective) to housekeeping CPUs, as the guide tunes them. */
function tidyIrqs(spec: HostSpec): IrqSpec[] {
  return spec.irqs.map((irq) => ({ ...irq, effective: [irq.smp[0] ?? 0] }));
}

/**
 * The baseline host as irqbalance leaves it: running with no ban, it spread the ixgbe queues, one of
 * them onto isolated CPU 12 (smp and effective affinity).
 */
function irqbalancedIrqs(spec: HostSpec): IrqSpec[] {
  return spec.irqs.map((irq) => {
    if (irq.name === "ixgbe-ens785f0-TxRx-3") return { ...irq, smp: BASE_HOUSEKEEPING.concat(BASE_ISOLATED).sort((a, b) => a - b), effective: [12] };
    if (irq.name.startsWith("ixgbe-ens785f0-TxRx-")) return { ...irq, smp: [...BASE_HOUSEKEEPING, ...BASE_ISOLATED].sort((a, b) => a - b), effective: [irq.smp[0] ?? 0] };
    return { ...irq, effective: [irq.smp[0] ?? 0] };
  });
}

/** Small per-host differences that real fleets have: hugepages in use, BIOS release. */
export interface HostTweak {
  /** 1G pages in use on node 0 (of 8) */
  hugepagesUsedNode0: number;
  /** a second, older BIOS release on some boxes */
  olderBios: boolean;
}

function applyTweak(spec: HostSpec, tweak: HostTweak): HostSpec {
  const hugepages = spec.hugepages.map((h) => {
    if (h.sizeKb !== 1048576 || h.nodes.length === 0) return h;
    const nodes = h.nodes.map(([nr, free, surplus], i): [number, number, number] => (i === 0 ? [nr, Math.max(0, nr - Math.min(nr, tweak.hugepagesUsedNode0)), surplus] : [nr, free, surplus]));
    return { ...h, nodes };
  });
  const dmi = tweak.olderBios && spec.dmi.bios_vendor === "Intel Corporation" ? { ...spec.dmi, bios_version: "SE5C610.86B.01.01.0011.081020151200", bios_date: "08/10/2015" } : spec.dmi;
  return { ...spec, hugepages, dmi };
}

/** The tree of a host kind (in memory), or null for the VM (read from the captured this-vm fixture). */
export function hostTree(kind: HostKind, tweak: HostTweak, opts: { irqbalanceStarted?: boolean } = {}): Tree | null {
  // The guide's command line plus tsc=reliable (constant, nonstop TSC): the lab's tuned hosts pass every rule.
  const guide = baselineSpec();
  const base = applyTweak({ ...guide, cmdline: `${guide.cmdline} tsc=reliable` }, tweak);
  let spec: HostSpec;
  switch (kind) {
    case "compliant":
      spec = base;
      break;
    case "ht-on":
      // HT switched on in the BIOS, command line unchanged: the isolated CPUs' siblings 47-51,67-71 are not isolated.
      spec = { ...base, threadsPerCore: 2, smt: { active: 1, control: "on" } };
      break;
    case "no-nohz-full":
      spec = { ...base, cmdline: base.cmdline.replace(/ nohz_full=\S+/, ""), nohzFull: "(null)" };
      break;
    case "irq-on-isolated": {
      const k = withKernel(base, RT_414);
      // Before the drift: irqbalance stopped, queues on housekeeping CPUs. After: irqbalance running, no ban.
      spec =
        opts.irqbalanceStarted === false
          ? { ...k, irqs: tidyIrqs(k) }
          : {
              ...k,
              irqs: irqbalancedIrqs(k),
              irqbalance: { pid: 2231, environ: "LANG=C\0PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\0INVOCATION_ID=9be1f0\0" },
              irqbalanceConfig: { path: "etc/sysconfig/irqbalance", text: "# irqbalance is a daemon process that distributes interrupts across\n# CPUS on SMP systems.\n#IRQBALANCE_BANNED_CPUS=\nIRQBALANCE_ARGS=\n" },
            };
      break;
    }
    case "rt-throttling":
      spec = { ...base, sysctl: { ...base.sysctl, sched_rt_runtime_us: "950000" } };
      break;
    case "cstates-turbo":
      spec = {
        ...base,
        idleStates: HSW_IDLE(false),
        intelPstate: { status: "active", noTurbo: 0 },
        cpufreq: { driver: "intel_pstate", governor: "powersave", minKhz: 1200000, maxKhz: 3600000, hwMaxKhz: 3600000, epp: "balance_performance" },
      };
      break;
    case "amd-epyc":
      spec = amdSpec();
      break;
    case "rdt": {
      const tree = buildHostTree(htOnRdtSpec(false));
      for (const [k, v] of resctrlTree(false)) tree.set(k, v);
      return tree;
    }
    case "vm-guest":
      return null;
  }
  return buildHostTree(spec);
}

/** The captured this-vm fixture (a KVM guest), when this process runs from the source tree. */
export function thisVmFixtureDir(): string | null {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/this-vm");
  return existsSync(path.join(dir, "proc")) ? dir : null;
}

/** Collectors as the simulator runs them: no dmidecode, no Redfish from this process's environment. */
export const SIMULATED_COLLECTORS: readonly SectionCollector[] = SECTION_COLLECTORS.map((c) =>
  c.name === "bios" ? { name: "bios", read: (fs: HostFs) => readBios(fs, { runDmidecode: false, redfish: null }) } : c,
);

const sectionCache = new Map<string, Promise<ReportSections>>();

/**
 * The sections the real collectors produce for a host kind (cached per kind and tweak: a lab of
 * thousands shares a few dozen distinct trees). durationMs is replaced by a plausible, seeded value so
 * the same seed always gives the same report.
 */
export function hostSections(kind: HostKind, tweak: HostTweak, opts: { irqbalanceStarted?: boolean } = {}): Promise<ReportSections> {
  const key = `${kind}/${tweak.hugepagesUsedNode0}/${tweak.olderBios}/${opts.irqbalanceStarted ?? "default"}`;
  let hit = sectionCache.get(key);
  if (!hit) {
    hit = (async () => {
      const tree = hostTree(kind, tweak, opts);
      let fs: HostFs;
      if (tree) fs = new MemoryHostFs(tree, kind);
      else {
        const dir = thisVmFixtureDir();
        if (!dir) throw new Error("the vm-guest kind needs agent/fixtures/this-vm (run from the source tree)");
        fs = new HostFs(dir);
      }
      const sections = await collectSections(fs, SIMULATED_COLLECTORS);
      const rng = createRandom(`durations/${key}`);
      for (const s of Object.values(sections)) if (s) s.durationMs = Math.round((0.05 + rng.next() * (s.available ? 2.5 : 0.1)) * 1000) / 1000;
      return sections;
    })();
    sectionCache.set(key, hit);
    hit.catch(() => sectionCache.delete(key));
  }
  return hit;
}

/** Latency and role per kind. Shapes follow the tuning: tight when compliant, tails when not. */
export function hostProfile(kind: HostKind): HostProfile {
  const rt = { latencyCpus: [11, 12, 13, 14], mainAffinity: [0], histogramSize: 400, role: "compute-rt" as const };
  switch (kind) {
    case "compliant":
      return { kind, story: "KVM4NFV baseline, fully tuned (HT off, isolcpus/nohz_full/rcu_nocbs=11-15,31-35, RT kernel)", shape: TUNED_RT_SHAPE, ...rt };
    case "ht-on":
      return {
        kind,
        story: "Hyper-Threading on (72 CPUs): isolated CPUs share cores with non-isolated siblings",
        shape: { ...TUNED_RT_SHAPE, bodyMeanUs: 9.6, bodySdUs: 0.9, tailFraction: 3e-3, tailStartUs: 12, tailAlpha: 3, tailCapUs: 95 },
        ...rt,
        role: "compute",
      };
    case "no-nohz-full":
      return {
        kind,
        story: "nohz_full missing from the command line: the scheduler tick still hits the isolated CPUs",
        shape: { ...TUNED_RT_SHAPE, bodyMeanUs: 8.9, bodySdUs: 0.55, secondMode: { fraction: 1e-3, meanUs: 14, sdUs: 1.5 }, tailFraction: 1.5e-3, tailStartUs: 11, tailAlpha: 2.6, tailCapUs: 60 },
        ...rt,
      };
    case "irq-on-isolated":
      return {
        kind,
        story: "irqbalance started without a ban: a NIC queue IRQ lands on isolated CPU 12",
        shape: IRQ_NOISY_SHAPE,
        ...rt,
      };
    case "rt-throttling":
      return {
        kind,
        story: "RT throttling on (kernel.sched_rt_runtime_us = 950000): rare stalls of milliseconds",
        shape: { ...TUNED_RT_SHAPE, tailFraction: 4e-4, tailStartUs: 11, tailAlpha: 1.1, tailCapUs: 2500 },
        ...rt,
      };
    case "cstates-turbo":
      return {
        kind,
        story: "C-states enabled and turbo on (powersave governor): C-state exit latencies, long tail",
        shape: { bodyMeanUs: 10.5, bodySdUs: 1.6, floorUs: 7, secondMode: { fraction: 0.04, meanUs: 38, sdUs: 6 }, tailFraction: 4e-3, tailStartUs: 45, tailAlpha: 2.2, tailCapUs: 320 },
        ...rt,
      };
    case "amd-epyc":
      return {
        kind,
        story: "AMD EPYC 7302, generic Ubuntu kernel, no isolation, irqbalance on: hundreds of µs, overflows",
        shape: { bodyMeanUs: 4.2, bodySdUs: 1.3, floorUs: 2, tailFraction: 8e-3, tailStartUs: 8, tailAlpha: 1.35, tailCapUs: 3500 },
        latencyCpus: [28, 29, 30, 31],
        mainAffinity: [0],
        histogramSize: 400,
        role: "compute",
      };
    case "rdt":
      return {
        kind,
        story: "Skylake with HT and Intel RDT (CAT/CMT/MBM), partially tuned (no nohz_full, irqbalance, IRQ on CPU 5)",
        shape: { bodyMeanUs: 5.6, bodySdUs: 1.0, floorUs: 3, tailFraction: 4e-3, tailStartUs: 10, tailAlpha: 1.7, tailCapUs: 900 },
        latencyCpus: [4, 5, 6, 7],
        mainAffinity: [0],
        histogramSize: 400,
        role: "compute",
      };
    case "vm-guest":
      return {
        kind,
        story: "a KVM guest (like this machine): no BIOS, no resctrl, not RT — tails into thousands of µs",
        shape: { bodyMeanUs: 22, bodySdUs: 4, floorUs: 14, tailFraction: 2e-2, tailStartUs: 32, tailAlpha: 1.25, tailCapUs: 9000 },
        latencyCpus: [1],
        mainAffinity: [0],
        histogramSize: 1000,
        role: "vnf-guest",
      };
  }
}

export const IRQ_NOISY_SHAPE: LatencyShape = { ...TUNED_RT_SHAPE, bodyMeanUs: 8.8, bodySdUs: 0.6, tailFraction: 1.2e-3, tailStartUs: 11, tailAlpha: 1.5, tailCapUs: 420 };

/** One host of a simulated fleet. */
export interface SimulatedHost {
  index: number;
  hostname: string;
  labels: string[];
  kind: HostKind;
  tweak: HostTweak;
  profile: HostProfile;
  /** resctrl monitoring groups to simulate QoS readings for (empty without resctrl) */
  qosGroups: QosGroupSpec[];
  sections: ReportSections;
}

/** Fleet mix for `simulate --hosts N`: mostly tuned compute-RT hosts, some of every problem. */
const FLEET_MIX: readonly HostKind[] = [
  "compliant", "compliant", "compliant", "ht-on", "compliant", "no-nohz-full", "compliant", "irq-on-isolated",
  "compliant", "rt-throttling", "cstates-turbo", "compliant", "amd-epyc", "rdt", "vm-guest", "compliant",
];

export function fleetKind(index: number): HostKind {
  return FLEET_MIX[index % FLEET_MIX.length] as HostKind;
}

export function hostTweak(seed: string, index: number): HostTweak {
  const rng = createRandom(`${seed}/tweak/${index}`);
  return { hugepagesUsedNode0: rng.pick([0, 2, 4, 6]), olderBios: rng.chance(0.25) };
}

/** Default name and labels for host `index` of a simulated fleet (sites and racks of 16). */
export function fleetIdentity(index: number, kind: HostKind): { hostname: string; labels: string[] } {
  const site = ["bj", "sh", "gz"][Math.floor(index / 64) % 3] as string;
  const rack = `r${String(10 + (Math.floor(index / 16) % 40)).padStart(2, "0")}`;
  const n = String((index % 9999) + 1).padStart(kind === "vm-guest" ? 2 : 3, "0");
  const prefix = kind === "vm-guest" ? `nfvi-${site}-vm` : kind === "amd-epyc" ? `nfvi-${site}-a` : `nfvi-${site}-c`;
  return { hostname: `${prefix}${n}`, labels: [`site=${site}`, `rack=${rack}`, `role=${hostProfile(kind).role}`] };
}

export async function simulateHost(opts: {
  index: number;
  seed: string;
  kind?: HostKind;
  hostname?: string;
  labels?: string[];
  irqbalanceStarted?: boolean;
}): Promise<SimulatedHost> {
  // The bundled agent has no this-vm fixture beside it: its fleet mix then has no VM guest.
  const mixed = fleetKind(opts.index);
  const kind = opts.kind ?? (mixed === "vm-guest" && !thisVmFixtureDir() ? "compliant" : mixed);
  const tweak = hostTweak(opts.seed, opts.index);
  const identity = fleetIdentity(opts.index, kind);
  const sections = await hostSections(kind, tweak, { irqbalanceStarted: opts.irqbalanceStarted });
  return {
    index: opts.index,
    hostname: opts.hostname ?? identity.hostname,
    labels: opts.labels ?? identity.labels,
    kind,
    tweak,
    profile: hostProfile(kind),
    qosGroups: qosGroupsFromResctrl(sections.resctrl?.data ?? null),
    sections,
  };
}
