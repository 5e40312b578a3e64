import type { HugepagesSection } from "@/server/contract/sections/hugepages";
import { intersectCpus } from "@/server/domain/cpuset/cpuset";

export type HugepageNodeRow = {
  node: number;
  nr: number | null;
  free: number | null;
  surplus: number | null;
  /** the node's CPUs (topology), null when topology is unknown */
  cpus: number[] | null;
  /** isolated CPUs on this node: a VNF pinned there wants its hugepages here */
  isolatedCpus: number[];
};

export type HugepageSizeView = {
  sizeKb: number;
  isDefault: boolean;
  /** /sys/kernel/mm/hugepages (null when only per-node files exist for this size) */
  global: HugepagesSection["sizes"][number] | null;
  nodes: HugepageNodeRow[];
};

/**
 * Hugepages per page size: the global counters and, per NUMA node, nr/free/surplus (the kernel keeps
 * no per-node resv) with the node's isolated CPUs. Sizes ascending, nodes ascending.
 */
export function hugepagesPerNode(
  hp: HugepagesSection,
  nodeCpus: readonly { node: number; cpus: readonly number[] }[] | null,
  isolated: readonly number[] | null,
): HugepageSizeView[] {
  const sizes = [...new Set([...hp.sizes.map((s) => s.sizeKb), ...hp.nodes.flatMap((n) => n.sizes.map((s) => s.sizeKb))])].sort((a, b) => a - b);
  const cpusOf = new Map((nodeCpus ?? []).map((n) => [n.node, [...n.cpus]]));
  const nodes = [...hp.nodes].sort((a, b) => a.node - b.node);
  return sizes.map((sizeKb) => ({
    sizeKb,
    isDefault: hp.defaultSizeKb === sizeKb,
    global: hp.sizes.find((s) => s.sizeKb === sizeKb) ?? null,
    nodes: nodes.map((n) => {
      const s = n.sizes.find((x) => x.sizeKb === sizeKb);
      const cpus = nodeCpus === null ? null : (cpusOf.get(n.node) ?? []);
      return {
        node: n.node,
        nr: s?.nr ?? null,
        free: s?.free ?? null,
        surplus: s?.surplus ?? null,
        cpus,
        isolatedCpus: cpus === null || isolated === null ? [] : intersectCpus(cpus, isolated),
      };
    }),
  }));
}
