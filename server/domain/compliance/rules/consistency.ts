import { z } from "zod";
import { intersectCpus, subtractCpus } from "@/server/domain/cpuset/cpuset";
import { capItems, cpuText, formatSizeKb, parseSizeKb, sizeParam } from "@/server/domain/compliance/facts";
import { defineRule, fail, na, noParams, pass, type Rule } from "@/server/domain/compliance/rule";
import { sectionAbsentReason } from "@/server/domain/compliance/snapshot";

export const CONSISTENCY_RULES: readonly Rule[] = [
  defineRule({
    id: "isolation.smt-siblings",
    title: "SMT siblings of an isolated CPU are isolated too",
    section: "isolation",
    defaultSeverity: "critical",
    kinds: ["host", "guest"],
    params: noParams,
    defaultParams: {},
    expected: () => "for every isolated CPU, all its thread siblings are isolated",
    remediation: "Isolate whole cores: add each isolated CPU's thread siblings to isolcpus/nohz_full/rcu_nocbs (or disable Hyper-Threading).",
    tuningActionId: "tune.cmdline",
    source: "KVM4NFV user guide §2.2.1 Hyper-Threading: logical cores sharing a core add latency; DESIGN.md consistency rules",
    check: (s) => {
      const expected = "whole cores isolated";
      const source = "/sys/devices/system/cpu/cpu*/topology/core_cpus_list";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, source);
      const isolated = s.kernel.isolatedCpus;
      if (isolated.length === 0) return na("no isolated CPUs on this host", expected, source);
      if (!s.topology) return na(sectionAbsentReason(s, "topology"), expected, source);
      const iso = new Set(isolated);
      const items: string[] = [];
      for (const c of s.topology.cpus) {
        if (!iso.has(c.cpu)) continue;
        const outside = subtractCpus(c.siblings, isolated);
        if (outside.length > 0) items.push(`CPU ${c.cpu}: sibling ${cpuText(outside)} not isolated`);
      }
      const observed = `isolated ${cpuText(isolated)}; ${s.topology.threadsPerCore} thread(s) per core`;
      if (items.length === 0) return pass("isolated CPUs are whole cores", { observed, expected, source });
      return fail(`${items.length} isolated CPU(s) share a core with a housekeeping CPU`, { observed, expected, source, items: capItems(items) });
    },
  }),
  defineRule({
    id: "numa.housekeeping-per-node",
    title: "At least one housekeeping CPU per NUMA node",
    section: "numa",
    defaultSeverity: "major",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "every NUMA node keeps ≥ 1 non-isolated CPU",
    remediation: "Leave at least one core of each NUMA node out of isolcpus/nohz_full/rcu_nocbs (kernel threads and node-local IRQs need it).",
    tuningActionId: "tune.cmdline",
    source: "DESIGN.md consistency rules; KVM4NFV user guide §2.2.2 NUMA configuration",
    check: (s) => {
      const expected = "≥ 1 housekeeping CPU per node";
      const source = "/sys/devices/system/node/node*/cpulist";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, source);
      const isolated = s.kernel.isolatedCpus;
      if (isolated.length === 0) return na("no isolated CPUs on this host", expected, source);
      if (!s.topology) return na(sectionAbsentReason(s, "topology"), expected, source);
      const online = new Set(s.topology.onlineCpus);
      const items: string[] = [];
      const per: string[] = [];
      for (const n of s.topology.nodes) {
        const cpus = n.cpus.filter((c) => online.has(c));
        if (cpus.length === 0) continue; // memory-only node
        const hk = subtractCpus(cpus, isolated);
        per.push(`node ${n.node}: housekeeping ${cpuText(hk)}`);
        if (hk.length === 0) items.push(`node ${n.node}: all CPUs ${cpuText(cpus)} isolated`);
      }
      if (per.length === 0) return na("no NUMA node information", expected, source);
      const ev = { observed: per.join("; "), expected, source, ...(items.length > 0 ? { items } : {}) };
      return items.length === 0 ? pass("every node keeps housekeeping CPUs", ev) : fail(`${items.length} node(s) without a housekeeping CPU`, ev);
    },
  }),
  defineRule({
    id: "numa.vnf-locality",
    title: "VNF CPUs, memory and NIC on one NUMA node",
    section: "numa",
    defaultSeverity: "major",
    kinds: ["host"],
    params: noParams,
    defaultParams: {},
    expected: () => "each VNF's CPUs, memory and NIC share one NUMA node",
    remediation: "Re-place the VNF with the CPU allocator (one NUMA node, NIC-local).",
    tuningActionId: null,
    source: "KVM4NFV user guide §2.2.2 NUMA configuration: CPU/memory and device for the realtime VM in the same NUMA node",
    check: (s) => {
      const expected = "one NUMA node per VNF (CPUs, hugepages, real pinning)";
      const source = "VNF assignments + /sys/devices/system/node/node*/cpulist + /proc/PID/task/TID/status";
      const vnfs = s.vnfPlacements ?? [];
      if (vnfs.length === 0) return na("no VNF is placed on this host", expected, source);
      if (!s.topology) return na(sectionAbsentReason(s, "topology"), expected, source);
      const nodeOf = new Map<number, number>();
      for (const n of s.topology.nodes) for (const c of n.cpus) nodeOf.set(c, n.node);
      const nodesOf = (cpus: readonly number[]) => [...new Set(cpus.map((c) => nodeOf.get(c)).filter((n): n is number => n !== undefined))].sort((a, b) => a - b);
      const items: string[] = [];
      const per: string[] = [];
      for (const v of vnfs) {
        const cpuNodes = nodesOf(v.cpus);
        const nodes = new Set([...cpuNodes, ...(v.hugepages ? [v.numaNode] : [])]);
        per.push(`${v.name}: CPUs ${cpuText(v.cpus)} on node ${cpuNodes.join("+") || "?"}${v.hugepages ? `, ${v.hugepages.pages} × ${v.hugepages.pageSize} on node ${v.numaNode}` : ""}`);
        if (nodes.size > 1) items.push(`${v.name}: CPUs on node ${cpuNodes.join("+")}, hugepages on node ${v.numaNode}`);
        const vm = s.vms?.vms.find((x) => x.name === v.name);
        if (vm) {
          const real = nodesOf(vm.vcpuThreads.flatMap((t) => t.cpusAllowed ?? []));
          if (real.length > 1 || (real.length === 1 && !nodes.has(real[0] as number))) items.push(`${v.name}: running vCPU threads may run on node ${real.join("+")} (pid ${vm.pid})`);
        }
      }
      const ev = { observed: per.join("; "), expected, source, ...(items.length > 0 ? { items: capItems(items) } : {}) };
      return items.length === 0 ? pass(`${vnfs.length} VNF(s) each on one NUMA node`, ev) : fail(`${items.length} VNF locality problem(s)`, ev);
    },
  }),
  defineRule({
    id: "hugepages.isolated-nodes",
    title: "Hugepages reserved on every NUMA node with isolated CPUs",
    section: "hugepages",
    defaultSeverity: "major",
    kinds: ["host"],
    params: z.object({ size: sizeParam.default("1G"), minPages: z.number().int().min(1).max(1_000_000).default(1) }).strict(),
    defaultParams: { size: "1G", minPages: 1 },
    expected: (p) => `≥ ${p.minPages} × ${p.size} hugepage(s) on each node with isolated CPUs`,
    remediation: "Reserve 1G hugepages per node: echo N > /sys/devices/system/node/nodeX/hugepages/hugepages-1048576kB/nr_hugepages (or hugepagesz=1G hugepages=N at boot).",
    tuningActionId: null,
    source: "KVM4NFV user guide §2.2.2 Memory allocation + NUMA configuration; DESIGN.md: hugepages reserved on the NUMA node of the VNF",
    check: (s, p) => {
      const expected = `≥ ${p.minPages} × ${p.size} per node with isolated CPUs`;
      const source = "/sys/devices/system/node/node*/hugepages/hugepages-*kB/nr_hugepages";
      if (!s.kernel) return na(sectionAbsentReason(s, "kernel"), expected, source);
      const isolated = s.kernel.isolatedCpus;
      if (isolated.length === 0) return na("no isolated CPUs on this host", expected, source);
      if (!s.topology) return na(sectionAbsentReason(s, "topology"), expected, source);
      if (!s.hugepages) return na(sectionAbsentReason(s, "hugepages"), expected, source);
      const sizeKb = parseSizeKb(p.size) ?? 1048576;
      const nodes = s.topology.nodes.filter((n) => intersectCpus(n.cpus, isolated).length > 0).map((n) => n.node);
      const per: string[] = [];
      const short: string[] = [];
      const unreadable: string[] = [];
      const judge = (label: string, nr: number | null | undefined) => {
        if (nr === null) {
          unreadable.push(label);
          per.push(`${label}: count unreadable`);
          return;
        }
        per.push(`${label}: ${nr ?? 0} × ${formatSizeKb(sizeKb)}`);
        if ((nr ?? 0) < p.minPages) short.push(label);
      };
      if (s.hugepages.nodes.length === 0) {
        // No per-node sysfs (a non-NUMA kernel): judge the global pool.
        judge("all nodes", s.hugepages.sizes.find((x) => x.sizeKb === sizeKb)?.nr);
      } else {
        for (const node of nodes) judge(`node ${node}`, s.hugepages.nodes.find((x) => x.node === node)?.sizes.find((x) => x.sizeKb === sizeKb)?.nr);
      }
      if (short.length === 0 && unreadable.length > 0) return na(`hugepage counts unreadable on ${unreadable.join(", ")}`, expected, source);
      const ev = { observed: per.join("; ") || "no node has isolated CPUs", expected, source };
      return short.length === 0 ? pass(`hugepages reserved on ${per.length} node(s)`, ev) : fail(`no ${formatSizeKb(sizeKb)} hugepages reserved on ${short.join(", ")}`, { ...ev, items: capItems(per) });
    },
  }),
];
