import type { HugepagesSection } from "@/server/contract/sections/hugepages";
import type { TopologySection } from "@/server/contract/sections/topology";
import { hugepagesPerNode } from "@/server/domain/hosts/hugepages-view";
import { Facts, Muted } from "@/app/_components/panel";
import { formatKb } from "@/app/_components/format";
import { CpuList, IsolatedTag } from "@/app/_components/host/cpu-chips";
import { CollectorWarnings } from "@/app/_components/host/collector-warnings";

/** Memory sizes in GiB once they reach one (a host's MemTotal is never a round MiB count). */
function formatMemoryKb(kb: number | null): string {
  if (kb !== null && kb >= 1024 * 1024) return `${(kb / (1024 * 1024)).toFixed(1)} GiB`;
  return formatKb(kb);
}

const n = (v: number | null) => (v === null ? "—" : v.toLocaleString("en-US"));
const cell = "px-3 py-1 text-right text-xs tabular-nums";

/**
 * Hugepages per page size: the global pool (nr/free/resv/surplus) and each NUMA node's share
 * (nr/free/surplus: the kernel keeps no per-node resv), with the node's isolated CPUs, so a VNF's
 * hugepages can be checked against the node its CPUs are on.
 */
export function HugepagesPanel({ hugepages, topology, isolatedCpus }: { hugepages: HugepagesSection; topology: TopologySection | null; isolatedCpus: readonly number[] | null }) {
  const sizes = hugepagesPerNode(hugepages, topology?.nodes ?? null, isolatedCpus);
  return (
    <div className="space-y-4">
      <Facts
        items={[
          ["Default size", formatKb(hugepages.defaultSizeKb)],
          ["Memory", formatMemoryKb(hugepages.memTotalKb)],
        ]}
      />
      {sizes.length === 0 ? (
        <p className="text-sm"><Muted>No hugepage sizes reported.</Muted></p>
      ) : (
        sizes.map((s) => (
          <div key={s.sizeKb} data-testid="hugepages-size" data-size-kb={s.sizeKb} className="overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800">
            <table className="w-full text-sm" aria-label={`${formatKb(s.sizeKb)} hugepages`}>
              <caption className="bg-slate-50 px-3 py-1.5 text-left text-xs font-semibold text-slate-700 dark:bg-slate-800 dark:text-slate-200">
                {formatKb(s.sizeKb)} pages{s.isDefault && <span className="ml-2 font-normal text-slate-500 dark:text-slate-400">default size</span>}
              </caption>
              <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-3 py-1 font-medium">Scope</th>
                  <th scope="col" className="px-3 py-1 text-right font-medium">nr</th>
                  <th scope="col" className="px-3 py-1 text-right font-medium">free</th>
                  <th scope="col" className="px-3 py-1 text-right font-medium">resv</th>
                  <th scope="col" className="px-3 py-1 text-right font-medium">surplus</th>
                  <th scope="col" className="px-3 py-1 font-medium">CPUs</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                <tr className="font-medium" data-testid="hugepages-global">
                  <th scope="row" className="px-3 py-1 text-left text-xs font-medium">all nodes</th>
                  <td className={cell}>{n(s.global?.nr ?? null)}</td>
                  <td className={cell}>{n(s.global?.free ?? null)}</td>
                  <td className={cell}>{n(s.global?.resv ?? null)}</td>
                  <td className={cell}>{n(s.global?.surplus ?? null)}</td>
                  <td className="px-3 py-1 text-xs">{s.global?.overcommit ? <Muted>overcommit {n(s.global.overcommit)}</Muted> : null}</td>
                </tr>
                {s.nodes.map((row) => (
                  <tr key={row.node} data-testid="hugepages-node" data-node={row.node} data-has-isolated={row.isolatedCpus.length > 0 ? "true" : "false"}>
                    <th scope="row" className="px-3 py-1 text-left text-xs font-normal">node {row.node}</th>
                    <td className={cell}>{n(row.nr)}</td>
                    <td className={cell}>{n(row.free)}</td>
                    <td className={`${cell} text-slate-400 dark:text-slate-500`} title="the kernel keeps no per-node resv">n/a</td>
                    <td className={cell}>{n(row.surplus)}</td>
                    <td className="px-3 py-1">
                      <span className="flex flex-wrap items-center gap-1.5">
                        <CpuList cpus={row.cpus} nullText="unknown" />
                        {row.isolatedCpus.length > 0 && <IsolatedTag cpus={row.isolatedCpus} />}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))
      )}
      <CollectorWarnings warnings={hugepages.warnings} />
    </div>
  );
}
