import type { TopologySection } from "@/server/contract/sections/topology";
import { buildCpuMap, summariseCaches, type CpuRole } from "@/server/domain/hosts/topology-map";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";
import { Facts, Mono, Muted, SubHeading, YesNo } from "@/app/_components/panel";
import { formatKb, orDash } from "@/app/_components/format";

const ROLE_STYLE: Record<CpuRole, string> = {
  isolated: "bg-violet-600 text-white ring-violet-700 dark:bg-violet-500 dark:ring-violet-300/40",
  housekeeping: "bg-sky-100 text-sky-900 ring-sky-300 dark:bg-sky-900/60 dark:text-sky-100 dark:ring-sky-700",
  offline: "bg-[repeating-linear-gradient(45deg,transparent_0_3px,rgb(148_163_184/0.35)_3px_5px)] text-slate-400 ring-slate-300 dark:text-slate-500 dark:ring-slate-700",
  unknown: "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600",
};
const ROLE_LABEL: Record<CpuRole, string> = {
  isolated: "isolated",
  housekeeping: "housekeeping",
  offline: "offline",
  unknown: "isolation unknown",
};

function Legend({ roles }: { roles: readonly CpuRole[] }) {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-slate-600 dark:text-slate-300" aria-label="Legend">
      {roles.map((r) => (
        <li key={r} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={`inline-block size-3.5 rounded-sm ring-1 ring-inset ${ROLE_STYLE[r]}`} />
          {ROLE_LABEL[r]}
        </li>
      ))}
    </ul>
  );
}

const FLAG_LABELS: readonly [keyof TopologySection["flags"], string][] = [
  ["constantTsc", "constant_tsc"],
  ["nonstopTsc", "nonstop_tsc"],
  ["tscDeadlineTimer", "tsc_deadline_timer"],
  ["tscKnownFreq", "tsc_known_freq"],
  ["vmx", "vmx"],
  ["svm", "svm"],
  ["hypervisor", "hypervisor"],
  ["ht", "ht"],
  ["rdtA", "rdt_a"],
  ["catL3", "cat_l3"],
  ["cdpL3", "cdp_l3"],
  ["mba", "mba"],
  ["cqm", "cqm"],
  ["cqmLlc", "cqm_llc"],
  ["cqmOccupLlc", "cqm_occup_llc"],
  ["cqmMbmTotal", "cqm_mbm_total"],
  ["cqmMbmLocal", "cqm_mbm_local"],
];

/** Topology of the latest report: the CPU map (socket → NUMA node → core → threads), caches, flags. */
export function TopologyPanel({ topology, isolatedCpus }: { topology: TopologySection; isolatedCpus: readonly number[] | null }) {
  const map = buildCpuMap(topology, isolatedCpus);
  const present = new Set(map.flatMap((p) => p.nodes.flatMap((n) => n.cores.flatMap((c) => c.cpus.map((x) => x.role)))));
  const legendRoles = (["isolated", "housekeeping", "unknown", "offline"] as const).filter((r) => present.has(r) || r === "isolated" || r === "housekeeping");
  const caches = summariseCaches(topology.caches);
  const family = [topology.cpuFamily, topology.cpuModelNumber, topology.stepping].map((v) => orDash(v)).join(" / ");
  return (
    <div className="space-y-6">
      <Facts
        className="sm:grid-cols-[minmax(8rem,auto)_1fr_minmax(8rem,auto)_1fr]"
        items={[
          ["CPU model", <span key="m" data-testid="topology-cpu-model">{orDash(topology.cpuModel)}</span>],
          ["Vendor", orDash(topology.vendor)],
          ["Family / model / stepping", <Mono key="f">{family}</Mono>],
          ["Microcode", <Mono key="mc">{orDash(topology.microcode)}</Mono>],
          ["Sockets", topology.sockets],
          ["Cores", `${topology.coreCount} (${topology.threadsPerCore} thread${topology.threadsPerCore === 1 ? "" : "s"} per core)`],
          ["NUMA nodes", topology.numaNodes],
          [
            "CPUs online",
            <span key="o">
              {topology.onlineCpus.length} of {topology.cpuCount}
              {topology.offlineCpus.length > 0 && <Muted> · offline {formatCpuList(topology.offlineCpus)}</Muted>}
            </span>,
          ],
          ["Virtual machine", <YesNo key="v" value={topology.isVirtual} />],
        ]}
      />

      <div>
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <SubHeading>CPU map</SubHeading>
          <Legend roles={legendRoles} />
        </div>
        {map.length === 0 ? (
          <Muted>No CPUs reported.</Muted>
        ) : (
          <div className="grid gap-4 lg:grid-cols-2" data-testid="cpu-map">
            {map.map((pkg) => (
              <div key={String(pkg.package)} className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
                <p className="mb-2 text-sm font-medium">{pkg.package === null ? "Package unknown" : `Socket ${pkg.package}`}</p>
                <div className="space-y-3">
                  {pkg.nodes.map((node) => (
                    <div key={String(node.node)}>
                      <p className="mb-1.5 text-xs text-slate-500 dark:text-slate-400">
                        {node.node === null ? "NUMA node unknown" : `NUMA node ${node.node}`} · {node.cores.length} cores · {node.cpuCount} CPUs
                      </p>
                      <ul className="flex flex-wrap gap-1.5" aria-label={node.node === null ? "cores" : `cores of NUMA node ${node.node}`}>
                        {node.cores.map((core) => (
                          <li
                            key={core.key}
                            className="flex gap-0.5 rounded border border-slate-200 bg-slate-50 p-0.5 dark:border-slate-700 dark:bg-slate-800/60"
                            title={core.core === null ? undefined : `core ${core.core}${core.die ? ` die ${core.die}` : ""}`}
                          >
                            {core.cpus.map((c) => (
                              <span
                                key={c.cpu}
                                data-cpu={c.cpu}
                                data-role={c.role}
                                title={`CPU ${c.cpu} · ${ROLE_LABEL[c.role]}${core.core === null ? "" : ` · core ${core.core}`}`}
                                className={`inline-flex h-6 min-w-7 items-center justify-center rounded-sm px-1 font-mono text-[11px] tabular-nums ring-1 ring-inset ${ROLE_STYLE[c.role]}`}
                              >
                                {c.cpu}
                              </span>
                            ))}
                          </li>
                        ))}
                      </ul>
                    </div>
                  ))}
                </div>
              </div>
            ))}
          </div>
        )}
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <div>
          <SubHeading>Caches</SubHeading>
          {caches.length === 0 ? (
            <Muted>No cache information.</Muted>
          ) : (
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">Cache</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">Size</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">Ways</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">Line</th>
                  <th scope="col" className="py-1 font-medium">Instances</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {caches.map((c) => (
                  <tr key={`${c.level}${c.type}${c.sizeKb}${c.ways}`}>
                    <td className="py-1 pr-3">
                      L{c.level} {c.type === "Unified" ? "" : c.type.toLowerCase()}
                    </td>
                    <td className="py-1 pr-3 text-right tabular-nums">{formatKb(c.sizeKb)}</td>
                    <td className="py-1 pr-3 text-right tabular-nums">{orDash(c.ways)}</td>
                    <td className="py-1 pr-3 text-right tabular-nums">{c.lineSize === null ? "—" : `${c.lineSize} B`}</td>
                    <td className="py-1 text-slate-600 dark:text-slate-300">
                      {c.instances} × shared by {c.cpusPerInstance} CPU{c.cpusPerInstance === 1 ? "" : "s"}
                      {c.cpusPerInstance > 1 && (
                        <span className="ml-1 font-mono text-xs text-slate-400 dark:text-slate-500" title="CPUs sharing the first instance">
                          (e.g. {formatCpuList(c.firstShared)})
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <SubHeading>CPU flags</SubHeading>
          <ul className="flex flex-wrap gap-1.5" aria-label="CPU flags">
            {FLAG_LABELS.map(([key, label]) => {
              const on = topology.flags[key];
              return (
                <li
                  key={key}
                  className={`rounded px-1.5 py-0.5 font-mono text-[11px] ring-1 ring-inset ${
                    on
                      ? "bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30"
                      : "text-slate-400 line-through ring-slate-200 dark:text-slate-500 dark:ring-slate-700"
                  }`}
                >
                  <span className="sr-only">{on ? "present: " : "absent: "}</span>
                  {label}
                </li>
              );
            })}
          </ul>
        </div>
      </div>

      {topology.warnings.length > 0 && (
        <div>
          <SubHeading>Collector warnings</SubHeading>
          <ul className="list-inside list-disc text-sm text-amber-800 dark:text-amber-300">
            {topology.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
