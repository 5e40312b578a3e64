import { z } from "zod";
import { intersectCpus, subtractCpus } from "@/server/domain/cpuset/cpuset";
import { capItems, cpuText } from "@/server/domain/compliance/facts";
import { defineRule, fail, na, noParams, pass, type Rule } from "@/server/domain/compliance/rule";
import { sectionAbsentReason } from "@/server/domain/compliance/snapshot";

const GUIDE_RUNTIME = "KVM4NFV user guide §2.2.2";

/** Regular expressions over IRQ action names; validated so a bad pattern is refused at edit time. */
const irqPatterns = z
  .array(
    z
      .string()
      .min(1)
      .max(200)
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, "not a valid regular expression"),
  )
  .max(50);

export const RUNTIME_RULES: readonly Rule[] = [
  defineRule({
    id: "runtime.sched-rt-runtime",
    title: "RT throttling disabled (kernel.sched_rt_runtime_us = -1)",
    section: "runtime",
    defaultSeverity: "critical",
    kinds: ["host", "guest"],
    params: noParams,
    defaultParams: {},
    expected: () => "kernel.sched_rt_runtime_us = -1",
    remediation: "sysctl -w kernel.sched_rt_runtime_us=-1 (persist in /etc/sysctl.d/).",
    tuningActionId: "tune.sysctl.sched_rt_runtime_us",
    source: `${GUIDE_RUNTIME} Disable the RT throttling`,
    check: (s) => {
      const source = "/proc/sys/kernel/sched_rt_runtime_us";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), "-1", source);
      const v = s.kernel.sysctl.schedRtRuntimeUs;
      if (v === null) return na("sched_rt_runtime_us not readable", "-1", source);
      const ev = { observed: String(v), expected: "-1", source };
      return v === -1 ? pass("RT throttling disabled", ev) : fail(`RT throttling on: RT tasks are stopped after ${v} µs per period`, ev);
    },
  }),
  defineRule({
    id: "runtime.irq-affinity",
    title: "No non-real-time IRQ fires on an isolated CPU",
    section: "runtime",
    defaultSeverity: "critical",
    kinds: ["host", "guest"],
    params: z
      .object({
        /** IRQs whose action name matches one of these are real-time (belong to the VNF) and may target isolated CPUs */
        allowNames: irqPatterns.default(["^vfio-"]),
      })
      .strict(),
    defaultParams: { allowNames: ["^vfio-"] },
    expected: (p) => `effective affinity of every IRQ ⊆ housekeeping CPUs${p.allowNames.length > 0 ? ` (except ${p.allowNames.join(", ")})` : ""}`,
    remediation: "Write the housekeeping CPU list to /proc/irq/N/smp_affinity_list for each listed IRQ (and to /proc/irq/default_smp_affinity); add irqaffinity=<housekeeping> to the command line.",
    tuningActionId: "tune.irq-affinity",
    source: `${GUIDE_RUNTIME} IRQ affinity: all the non-realtime IRQs should be affinitized to non-realtime CPUs`,
    check: (s, p) => {
      const expected = "no non-RT IRQ on isolated CPUs";
      const source = "/proc/irq/*/effective_affinity_list";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, source);
      const isolated = s.kernel.isolatedCpus;
      if (isolated.length === 0) return na("no isolated CPUs on this host: nothing to protect", expected, source);
      if (!s.irq) return na(sectionAbsentReason(s, "irq"), expected, source);
      const allow = p.allowNames.map((x) => new RegExp(x));
      const offenders: string[] = [];
      let fromSmp = 0;
      let allowed = 0;
      for (const irq of s.irq.irqs) {
        const aff = irq.effectiveAffinity ?? irq.smpAffinity;
        if (!aff) continue;
        const hit = intersectCpus(aff, isolated);
        if (hit.length === 0) continue;
        if (allow.some((r) => r.test(irq.name))) {
          allowed += 1;
          continue;
        }
        if (!irq.effectiveAffinity) fromSmp += 1;
        offenders.push(`IRQ ${irq.irq} ${irq.name || "(no action)"} → CPU ${cpuText(hit)}${irq.effectiveAffinity ? "" : " (smp_affinity; effective not exposed)"}`);
      }
      const note = allowed > 0 ? `; ${allowed} real-time IRQ(s) allowed by pattern` : "";
      if (offenders.length === 0) {
        return pass(`no non-RT IRQ targets isolated CPUs ${cpuText(isolated)}${note}`, { observed: `0 of ${s.irq.irqs.length} IRQs on isolated CPUs${note}`, expected, source });
      }
      return fail(`${offenders.length} IRQ(s) fire on isolated CPUs ${cpuText(isolated)}`, {
        observed: `${offenders.length} IRQ(s) with affinity on isolated CPUs ${cpuText(isolated)}${fromSmp > 0 ? ` (${fromSmp} judged by smp_affinity)` : ""}`,
        expected,
        source,
        items: capItems(offenders),
      });
    },
  }),
  defineRule({
    id: "runtime.irqbalance",
    title: "irqbalance off, or banned from the isolated CPUs",
    section: "runtime",
    defaultSeverity: "major",
    kinds: ["host", "guest"],
    params: noParams,
    defaultParams: {},
    expected: () => "irqbalance not running, or IRQBALANCE_BANNED_CPULIST ⊇ isolated CPUs",
    remediation: "systemctl disable --now irqbalance, or set IRQBALANCE_BANNED_CPULIST=<isolated cpus> in /etc/default/irqbalance (sysconfig on RHEL) and restart it.",
    tuningActionId: "tune.irqbalance-ban",
    source: `${GUIDE_RUNTIME} IRQ affinity: the irqbalance daemon … should be disabled as well`,
    check: (s) => {
      const expected = "irqbalance off or banned from isolated CPUs";
      const source = "/proc/*/comm (irqbalance), /etc/default/irqbalance";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, source);
      const ib = s.kernel.irqbalance;
      const isolated = s.kernel.isolatedCpus;
      if (!ib.running) return pass("irqbalance not running", { observed: "not running", expected, source });
      const banned = ib.bannedCpus ?? [];
      const observed = `running (pid ${ib.pids.join(",") || "?"}), banned ${ib.bannedCpus ? cpuText(banned) : "none"}${ib.bannedSource ? ` from ${ib.bannedSource}` : ""}`;
      const ev = { observed, expected, source: ib.bannedSource ? `/proc, ${ib.bannedSource}` : source };
      if (isolated.length === 0) return fail("irqbalance running (the guide says disable it)", ev);
      const unbanned = subtractCpus(isolated, banned);
      return unbanned.length === 0
        ? pass(`irqbalance running but banned from isolated CPUs ${cpuText(isolated)}`, ev)
        : fail(`irqbalance running and may place IRQs on isolated CPUs ${cpuText(unbanned)}`, ev);
    },
  }),
  defineRule({
    id: "runtime.clocksource-tsc",
    title: "Clocksource is tsc",
    section: "runtime",
    defaultSeverity: "major",
    kinds: ["host"],
    params: z.object({ clocksource: z.string().min(1).max(32).regex(/^[a-z0-9_-]+$/, "a clocksource name").default("tsc") }).strict(),
    defaultParams: { clocksource: "tsc" },
    expected: (p) => `current_clocksource = ${p.clocksource}`,
    remediation: "Use the TSC clocksource (clocksource=tsc tsc=reliable); a fallback to hpet/acpi_pm means the kernel marked the TSC unstable.",
    tuningActionId: "tune.cmdline",
    source: "KVM4NFV user guide §2.2.2 TSC; DESIGN.md runtime rules: clocksource tsc",
    check: (s, p) => {
      const source = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), p.clocksource, source);
      const cs = s.kernel.clocksource;
      if (!cs || cs.current === null) return na("current clocksource not readable", p.clocksource, source);
      const ev = { observed: `${cs.current} (available: ${cs.available.join(" ") || "?"})`, expected: p.clocksource, source };
      return cs.current === p.clocksource ? pass(`clocksource ${cs.current}`, ev) : fail(`clocksource ${cs.current}, expected ${p.clocksource}`, ev);
    },
  }),
  defineRule({
    id: "runtime.cpufreq-governor",
    title: "cpufreq governor performance",
    section: "runtime",
    defaultSeverity: "minor",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "scaling_governor = performance on every CPU",
    remediation: "Set the performance governor on every CPU (cpupower frequency-set -g performance).",
    tuningActionId: "tune.governor",
    source: "KVM4NFV user guide §2.2.1 Power management (P states); nfvdeck check beyond the guide's BIOS list",
    check: (s) => {
      const expected = "performance";
      const source = "/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor";
      if (!s.power) return na(sectionAbsentReason(s, "power"), expected, source);
      const groups = s.power.cpufreq.groups;
      if (groups.length === 0) return na("no cpufreq driver: frequency is set by firmware (or a VM)", expected, source);
      const bad = groups.filter((g) => g.governor !== "performance");
      const items = groups.map((g) => `CPUs ${cpuText(g.cpus)}: ${g.governor ?? "?"} (${g.driver ?? "?"})`);
      const ev = { observed: bad.length === 0 ? "performance on all CPUs" : `${bad.map((g) => g.governor ?? "?").join(", ")} on some CPUs`, expected, source, items: capItems(items) };
      return bad.length === 0 ? pass("performance governor everywhere", ev) : fail(`governor not performance on CPUs ${cpuText(bad.flatMap((g) => g.cpus))}`, ev);
    },
  }),
];
