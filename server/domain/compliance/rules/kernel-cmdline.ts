import { z } from "zod";
import { tryParseCpuList, subtractCpus } from "@/server/domain/cpuset/cpuset";
import { cpuListParam, cpuText, cpuVendor, formatSizeKb, parseSizeKb, sameCpus, sizeParam } from "@/server/domain/compliance/facts";
import { defineRule, fail, na, noParams, pass, warn, type Rule } from "@/server/domain/compliance/rule";
import { sectionAbsentReason, type HostSnapshot } from "@/server/domain/compliance/snapshot";
import type { KernelCmdline, KernelSection } from "@/server/contract/sections/kernel";
import type { RuleOutcome } from "@/server/domain/compliance/types";

const CMDLINE = "/proc/cmdline";
const GUIDE_HOST = "KVM4NFV user guide §2.1.2 host kernel boot line: isolcpus=11-15,31-35 nohz_full=11-15,31-35 rcu_nocbs=11-15,31-35 iommu=pt intel_iommu=on default_hugepagesz=1G";
const GUIDE_GUEST = "KVM4NFV user guide §2.1.2 guest kernel boot line: isolcpus=1 nohz_full=1 rcu_nocbs=1 mce=off idle=poll default_hugepagesz=1G hugepagesz=1G";

type WithCmdline = { kernel: KernelSection; cmdline: KernelCmdline };

/** The kernel section and its parsed cmdline, or the n/a outcome saying why there is none. */
function cmdlineOf(s: HostSnapshot, expected: string): WithCmdline | RuleOutcome {
  if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, CMDLINE);
  if (!s.kernel.cmdline) return na("/proc/cmdline was not readable", expected, CMDLINE);
  return { kernel: s.kernel, cmdline: s.kernel.cmdline };
}
function isOutcome(x: WithCmdline | RuleOutcome): x is RuleOutcome {
  return "status" in x;
}

/** "key=value" as written, "key" for a bare flag, "(absent)" when missing. */
function written(cmdline: KernelCmdline, key: string): string {
  let found: string | null | undefined;
  for (const p of cmdline.params) if (p.key === key) found = p.value;
  if (found === undefined) return `${key} absent`;
  return found === null ? key : `${key}=${found}`;
}

/** cpus param: "" = any non-empty set; otherwise the exact set expected. */
const cpusParams = z.object({ cpus: cpuListParam.default("") }).strict();
type CpusParams = z.infer<typeof cpusParams>;

function expectedCpus(key: string, p: CpusParams): string {
  return p.cpus === "" ? `${key}=<non-empty cpu list>` : `${key}=${p.cpus}`;
}

/** Judge a parsed cpu list parameter against the expected set. */
function judgeCpuList(key: string, observed: string, cpus: number[] | null, p: CpusParams, extraNote = ""): RuleOutcome {
  const expected = expectedCpus(key, p);
  const ev = { observed: observed + extraNote, expected, source: CMDLINE };
  if (cpus === null) return fail(`${key} is not a valid cpu list`, ev);
  if (cpus.length === 0) return fail(`${key} names no CPUs`, ev);
  if (p.cpus !== "") {
    const want = tryParseCpuList(p.cpus) ?? [];
    if (!sameCpus(cpus, want)) {
      const missing = subtractCpus(want, cpus);
      const extra = subtractCpus(cpus, want);
      const diff = [missing.length > 0 ? `missing ${cpuText(missing)}` : "", extra.length > 0 ? `extra ${cpuText(extra)}` : ""].filter(Boolean).join(", ");
      return fail(`${key} is ${cpuText(cpus)}, expected ${p.cpus} (${diff})`, ev);
    }
  }
  return pass(`${key} = ${cpuText(cpus)}`, ev);
}

function presenceRule(opts: { id: string; key: string; title: string; severity: "critical" | "major"; field: "nohzFull" | "rcuNocbs"; remediationExtra: string; source: string }): Rule {
  return defineRule({
    id: opts.id,
    title: opts.title,
    section: "kernel-cmdline",
    defaultSeverity: opts.severity,
    kinds: ["host", "guest"],
    params: cpusParams,
    defaultParams: { cpus: "" },
    expected: (p) => expectedCpus(opts.key, p),
    remediation: `Add ${opts.key}=<isolated cpus> to the kernel command line (same set as isolcpus) and reboot. ${opts.remediationExtra}`.trim(),
    tuningActionId: "tune.cmdline",
    source: opts.source,
    check: (s, p) => {
      const c = cmdlineOf(s, expectedCpus(opts.key, p));
      if (isOutcome(c)) return c;
      const param = c.cmdline[opts.field];
      if (!param) {
        let note = "";
        if (opts.field === "nohzFull" && c.kernel.sysNohzFull !== null) {
          note = ` (/sys/devices/system/cpu/nohz_full: ${c.kernel.sysNohzFull.length === 0 ? "(null)" : cpuText(c.kernel.sysNohzFull)})`;
        }
        return fail(`${opts.key} is not on the kernel command line`, { observed: `${opts.key} absent${note}`, expected: expectedCpus(opts.key, p), source: CMDLINE });
      }
      const outcome = judgeCpuList(opts.key, written(c.cmdline, opts.key), param.cpus, p);
      // nohz_full on the cmdline but the running kernel reports none: the kernel ignored it.
      if (outcome.status === "pass" && opts.field === "nohzFull" && c.kernel.sysNohzFull !== null && c.kernel.sysNohzFull.length === 0) {
        return fail("nohz_full is on the command line but the kernel applied none (/sys/devices/system/cpu/nohz_full reads (null)): kernel built without NO_HZ_FULL?", {
          observed: `${written(c.cmdline, opts.key)}; /sys/devices/system/cpu/nohz_full = (null)`,
          expected: expectedCpus(opts.key, p),
          source: `${CMDLINE}, /sys/devices/system/cpu/nohz_full`,
        });
      }
      return outcome;
    },
  });
}

function flagRule(opts: { id: string; title: string; key: string; field: "iommu" | "mce" | "idle"; value: string; severity: "major" | "minor"; kinds: ("host" | "guest")[]; remediation: string; source: string }): Rule {
  const params = z.object({ value: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.,-]+$/, "a kernel parameter value").default(opts.value) }).strict();
  return defineRule({
    id: opts.id,
    title: opts.title,
    section: "kernel-cmdline",
    defaultSeverity: opts.severity,
    kinds: opts.kinds,
    params,
    defaultParams: { value: opts.value },
    expected: (p) => `${opts.key}=${p.value}`,
    remediation: opts.remediation,
    tuningActionId: "tune.cmdline",
    source: opts.source,
    check: (s, p) => {
      const expected = `${opts.key}=${p.value}`;
      const c = cmdlineOf(s, expected);
      if (isOutcome(c)) return c;
      const v = c.cmdline[opts.field];
      const ev = { observed: written(c.cmdline, opts.key), expected, source: CMDLINE };
      return v === p.value ? pass(`${opts.key}=${v}`, ev) : fail(v === null ? `${opts.key} is not on the command line` : `${opts.key}=${v}, expected ${p.value}`, ev);
    },
  });
}

const sizeParams = z.object({ size: sizeParam.default("1G") }).strict();

export const KERNEL_CMDLINE_RULES: readonly Rule[] = [
  defineRule({
    id: "kernel.isolcpus",
    title: "isolcpus isolates the real-time CPUs",
    section: "kernel-cmdline",
    defaultSeverity: "critical",
    kinds: ["host", "guest"],
    params: cpusParams,
    defaultParams: { cpus: "" },
    expected: (p) => expectedCpus("isolcpus", p),
    remediation: "Add isolcpus=<real-time cpus> (optionally managed_irq,domain,<cpus>) to the kernel command line and reboot.",
    tuningActionId: "tune.cmdline",
    source: `KVM4NFV user guide §2.2.2 CPU isolation; ${GUIDE_HOST}`,
    check: (s, p) => {
      const c = cmdlineOf(s, expectedCpus("isolcpus", p));
      if (isOutcome(c)) return c;
      const iso = c.cmdline.isolcpus;
      if (!iso) return fail("isolcpus is not on the kernel command line", { observed: "isolcpus absent", expected: expectedCpus("isolcpus", p), source: CMDLINE });
      const outcome = judgeCpuList("isolcpus", `isolcpus=${iso.raw}`, iso.cpus, p, iso.flags.length > 0 ? ` (flags ${iso.flags.join(",")}; CPUs ${cpuText(iso.cpus)})` : "");
      // With explicit flags the kernel only applies those: without "domain" the CPUs stay in the scheduler's domains.
      if (outcome.status === "pass" && iso.flags.length > 0 && !iso.flags.includes("domain")) {
        return warn(`isolcpus flags ${iso.flags.join(",")} lack "domain": the CPUs stay in scheduler load balancing`, outcome.evidence);
      }
      return outcome;
    },
  }),
  presenceRule({
    id: "kernel.nohz-full",
    key: "nohz_full",
    title: "nohz_full makes the real-time CPUs tickless",
    severity: "critical",
    field: "nohzFull",
    remediationExtra: "The kernel must be built with CONFIG_NO_HZ_FULL.",
    source: `KVM4NFV user guide §2.2.2 Tickless (CONFIG_NOHZ_FULL); ${GUIDE_HOST}`,
  }),
  presenceRule({
    id: "kernel.rcu-nocbs",
    key: "rcu_nocbs",
    title: "rcu_nocbs offloads RCU callbacks from the real-time CPUs",
    severity: "major",
    field: "rcuNocbs",
    remediationExtra: "",
    source: `KVM4NFV user guide §2.2.2 RCU_NOCB; ${GUIDE_HOST}`,
  }),
  defineRule({
    id: "kernel.isolcpus-equal-sets",
    title: "isolcpus, nohz_full and rcu_nocbs name the same CPUs",
    section: "kernel-cmdline",
    defaultSeverity: "critical",
    kinds: ["host", "guest"],
    params: noParams,
    defaultParams: {},
    expected: () => "isolcpus = nohz_full = rcu_nocbs (as CPU sets)",
    remediation: "Give isolcpus, nohz_full and rcu_nocbs the same cpu list on the kernel command line and reboot.",
    tuningActionId: "tune.cmdline",
    source: GUIDE_HOST,
    check: (s) => {
      const expected = "isolcpus = nohz_full = rcu_nocbs (as CPU sets)";
      const c = cmdlineOf(s, expected);
      if (isOutcome(c)) return c;
      const sets: { key: string; cpus: number[] | null }[] = [
        { key: "isolcpus", cpus: c.cmdline.isolcpus ? c.cmdline.isolcpus.cpus : null },
        { key: "nohz_full", cpus: c.cmdline.nohzFull ? c.cmdline.nohzFull.cpus : null },
        { key: "rcu_nocbs", cpus: c.cmdline.rcuNocbs ? c.cmdline.rcuNocbs.cpus : null },
      ];
      const observed = sets.map((x) => written(c.cmdline, x.key)).join(" ");
      const ev = { observed, expected, source: CMDLINE };
      const absent = sets.filter((x) => x.cpus === null || x.cpus.length === 0).map((x) => x.key);
      if (absent.length > 0) return fail(`${absent.join(", ")} ${absent.length === 1 ? "is" : "are"} absent or empty`, ev);
      const ref = sets[0]?.cpus ?? [];
      const differ = sets.slice(1).filter((x) => !sameCpus(x.cpus ?? [], ref));
      if (differ.length === 0) return pass(`all three name CPUs ${cpuText(ref)}`, ev);
      const parts = differ.map((x) => {
        const missing = subtractCpus(ref, x.cpus ?? []);
        const extra = subtractCpus(x.cpus ?? [], ref);
        const d = [missing.length > 0 ? `missing ${cpuText(missing)}` : "", extra.length > 0 ? `extra ${cpuText(extra)}` : ""].filter(Boolean).join(", ");
        return `${x.key}=${cpuText(x.cpus)} vs isolcpus=${cpuText(ref)} (${d})`;
      });
      return fail(parts.join("; "), ev);
    },
  }),
  flagRule({
    id: "kernel.iommu-pt",
    title: "IOMMU in pass-through mode (iommu=pt)",
    key: "iommu",
    field: "iommu",
    value: "pt",
    severity: "major",
    kinds: ["host"],
    remediation: "Add iommu=pt to the kernel command line: host DMA skips IOMMU translation, assigned devices stay protected.",
    source: `KVM4NFV user guide §2.2.2 Device assignment; ${GUIDE_HOST}`,
  }),
  defineRule({
    id: "kernel.intel-iommu",
    title: "Intel IOMMU on (intel_iommu=on)",
    section: "kernel-cmdline",
    defaultSeverity: "major",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "intel_iommu=on (Intel hosts)",
    remediation: "Add intel_iommu=on to the kernel command line (Intel hosts; AMD enables its IOMMU by default unless amd_iommu=off).",
    tuningActionId: "tune.cmdline",
    source: `KVM4NFV user guide §2.2.2 Device assignment: the IOMMU should be enabled; ${GUIDE_HOST}`,
    check: (s) => {
      const expected = "intel_iommu=on";
      const c = cmdlineOf(s, expected);
      if (isOutcome(c)) return c;
      const vendor = cpuVendor(s);
      if (vendor === "amd") {
        const amd = written(c.cmdline, "amd_iommu");
        if (c.cmdline.amdIommu === "off") return fail("AMD host with amd_iommu=off: no IOMMU for device assignment", { observed: amd, expected: "amd_iommu not off", source: CMDLINE });
        return na(`AMD host: intel_iommu does not apply (${amd}; the AMD IOMMU is on unless amd_iommu=off)`, expected, CMDLINE);
      }
      if (vendor === null) return na("CPU vendor unknown (no topology reported)", expected, CMDLINE);
      const v = c.cmdline.intelIommu;
      const ev = { observed: written(c.cmdline, "intel_iommu"), expected, source: CMDLINE };
      const on = v !== null && v.split(",").map((x) => x.trim().toLowerCase()).includes("on");
      return on ? pass(`intel_iommu=${v}`, ev) : fail(v === null ? "intel_iommu is not on the command line" : `intel_iommu=${v}`, ev);
    },
  }),
  defineRule({
    id: "kernel.default-hugepagesz",
    title: "Default hugepage size 1G",
    section: "kernel-cmdline",
    defaultSeverity: "major",
    kinds: ["host", "guest"],
    params: sizeParams,
    defaultParams: { size: "1G" },
    expected: (p) => `default_hugepagesz=${p.size}`,
    remediation: "Add default_hugepagesz=1G (and hugepagesz=1G hugepages=N) to the kernel command line.",
    tuningActionId: "tune.cmdline",
    source: `KVM4NFV user guide §2.2.2 Memory allocation (hugepages); ${GUIDE_HOST}`,
    check: (s, p) => {
      const expected = `default_hugepagesz=${p.size}`;
      const c = cmdlineOf(s, expected);
      if (isOutcome(c)) return c;
      const want = parseSizeKb(p.size);
      const v = c.cmdline.defaultHugepagesz;
      const meminfo = s.hugepages?.defaultSizeKb ?? null;
      const note = meminfo !== null ? ` (/proc/meminfo Hugepagesize: ${formatSizeKb(meminfo)})` : "";
      const ev = { observed: written(c.cmdline, "default_hugepagesz") + note, expected, source: CMDLINE };
      if (v === null) return fail("default_hugepagesz is not on the command line", ev);
      return parseSizeKb(v) === want ? pass(`default_hugepagesz=${v}`, ev) : fail(`default_hugepagesz=${v}, expected ${p.size}`, ev);
    },
  }),
  defineRule({
    id: "kernel.hugepagesz",
    title: "1G hugepages configured at boot (hugepagesz=1G)",
    section: "kernel-cmdline",
    defaultSeverity: "major",
    kinds: ["guest"],
    params: sizeParams,
    defaultParams: { size: "1G" },
    expected: (p) => `hugepagesz=${p.size}`,
    remediation: "Add hugepagesz=1G hugepages=N to the kernel command line.",
    tuningActionId: "tune.cmdline",
    source: GUIDE_GUEST,
    check: (s, p) => {
      const expected = `hugepagesz=${p.size}`;
      const c = cmdlineOf(s, expected);
      if (isOutcome(c)) return c;
      const want = parseSizeKb(p.size);
      const ev = { observed: c.cmdline.hugepagesz.length > 0 ? c.cmdline.hugepagesz.map((x) => `hugepagesz=${x}`).join(" ") : "hugepagesz absent", expected, source: CMDLINE };
      return c.cmdline.hugepagesz.some((x) => parseSizeKb(x) === want) ? pass(`hugepagesz=${p.size} present`, ev) : fail(`hugepagesz=${p.size} is not on the command line`, ev);
    },
  }),
  defineRule({
    id: "kernel.tsc-reliable",
    title: "TSC marked reliable where it is invariant (tsc=reliable)",
    section: "kernel-cmdline",
    defaultSeverity: "minor",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "tsc=reliable when constant_tsc and nonstop_tsc",
    remediation: "Add tsc=reliable to the kernel command line: on an invariant TSC the clocksource watchdog only adds latency.",
    tuningActionId: "tune.cmdline",
    source: "KVM4NFV user guide §2.2.2 TSC: mark TSC clock source as reliable on Constant/Invariant TSC platforms",
    check: (s) => {
      const expected = "tsc=reliable";
      const c = cmdlineOf(s, expected);
      if (isOutcome(c)) return c;
      if (!s.topology) return na(sectionAbsentReason(s, "topology"), expected, "/proc/cpuinfo flags");
      if (s.topology.vendor === null) return na("CPU flags not reported (/proc/cpuinfo not read)", expected, "/proc/cpuinfo flags");
      const f = s.topology.flags;
      if (!f.constantTsc || !f.nonstopTsc) {
        const missing = [f.constantTsc ? "" : "constant_tsc", f.nonstopTsc ? "" : "nonstop_tsc"].filter(Boolean).join(", ");
        return na(`TSC is not invariant (${missing} missing): tsc=reliable would hide real TSC problems`, expected, "/proc/cpuinfo flags");
      }
      const ev = { observed: `${written(c.cmdline, "tsc")} (cpu flags constant_tsc nonstop_tsc)`, expected, source: `${CMDLINE}, /proc/cpuinfo` };
      const v = c.cmdline.tsc;
      const ok = v !== null && v.split(",").includes("reliable");
      return ok ? pass("tsc=reliable on an invariant TSC", ev) : fail("invariant TSC but tsc=reliable is not set: the clocksource watchdog keeps running", ev);
    },
  }),
  defineRule({
    id: "kernel.nohz-full-support",
    title: "Kernel built with NO_HZ_FULL",
    section: "kernel-cmdline",
    defaultSeverity: "major",
    kinds: ["host", "guest"],
    params: noParams,
    defaultParams: {},
    expected: () => "CONFIG_NO_HZ_FULL=y",
    remediation: "Boot a kernel built with CONFIG_NO_HZ_FULL=y (most distribution kernels are).",
    tuningActionId: null,
    source: "KVM4NFV user guide §2.2.2 Tickless: CONFIG_NOHZ_FULL should be enabled",
    check: (s) => {
      const expected = "CONFIG_NO_HZ_FULL=y";
      const source = "/sys/devices/system/cpu/nohz_full, /boot/config-<release>";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, source);
      const v = s.kernel.nohzFullSupported;
      if (v === null) return na("cannot tell: /sys/devices/system/cpu/nohz_full and /boot/config are both absent", expected, source);
      const ev = { observed: v ? "supported" : "not supported", expected, source };
      return v ? pass("kernel supports nohz_full", ev) : fail("kernel built without NO_HZ_FULL", ev);
    },
  }),
  defineRule({
    id: "kernel.preempt-rt",
    title: "PREEMPT_RT kernel (recommended)",
    section: "kernel-cmdline",
    defaultSeverity: "info",
    kinds: ["host", "guest"],
    params: noParams,
    defaultParams: {},
    expected: () => "PREEMPT_RT",
    remediation: "Boot a PREEMPT_RT kernel (e.g. kernel-rt / linux-image-rt) for the tightest latency bound.",
    tuningActionId: null,
    source: "KVM4NFV design (RT kernel for host and guest); DESIGN.md: PREEMPT_RT recommended",
    check: (s) => {
      const source = "/sys/kernel/realtime, uname -v";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), "PREEMPT_RT", source);
      const ev = { observed: s.kernel.preemptModel ?? (s.kernel.preemptRt ? "PREEMPT_RT" : "unknown"), expected: "PREEMPT_RT", source };
      return s.kernel.preemptRt ? pass("PREEMPT_RT kernel", ev) : fail(`not a PREEMPT_RT kernel (${ev.observed})`, ev);
    },
  }),
  flagRule({
    id: "kernel.mce-off",
    title: "Machine-check polling off in the guest (mce=off)",
    key: "mce",
    field: "mce",
    value: "off",
    severity: "minor",
    kinds: ["guest"],
    remediation: "Add mce=off to the guest kernel command line.",
    source: GUIDE_GUEST,
  }),
  flagRule({
    id: "kernel.idle-poll",
    title: "Polling idle loop (idle=poll)",
    key: "idle",
    field: "idle",
    value: "poll",
    severity: "minor",
    kinds: ["guest"],
    remediation: "Add idle=poll to the guest kernel command line (faster wake-up of an idle vCPU, at the cost of a busy host CPU).",
    source: `KVM4NFV user guide §2.2.2 Idle: the poll option; ${GUIDE_GUEST}`,
  }),
];
