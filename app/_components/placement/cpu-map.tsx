"use client";

import { useMemo, useState } from "react";
import type { CpuMapCpu, CpuState, HostCpuMap } from "@/server/contract/vnf";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";

/** What the allocator would choose, drawn over the map before anything is saved. */
export type PreviewOverlay = { vnfName: string; vcpuPins: { vcpu: number; cpu: number }[]; emulatorCpus: number[]; reservedCpus: number[]; emulatorIsolated: boolean };

type CellState = CpuState | "preview-vcpu" | "preview-emulator" | "preview-reserved";

const STATE_LABEL: Record<CellState, string> = {
  housekeeping: "housekeeping",
  "isolated-free": "isolated, free",
  vcpu: "vCPU of a VNF",
  emulator: "emulator thread (isolated)",
  "reserved-sibling": "reserved sibling",
  offline: "offline",
  "preview-vcpu": "preview: vCPU",
  "preview-emulator": "preview: emulator",
  "preview-reserved": "preview: reserved sibling",
};

/** A short mark inside each cell so the state is not told by colour alone. */
const STATE_MARK: Record<CellState, string> = {
  housekeeping: "",
  "isolated-free": "",
  vcpu: "v",
  emulator: "e",
  "reserved-sibling": "r",
  offline: "×",
  "preview-vcpu": "v",
  "preview-emulator": "e",
  "preview-reserved": "r",
};

/** Per-VNF fills (vCPUs); emulator and reserved cells use fixed tones. */
const VNF_FILLS = [
  "bg-sky-500 text-white dark:bg-sky-500",
  "bg-violet-500 text-white dark:bg-violet-500",
  "bg-rose-500 text-white dark:bg-rose-500",
  "bg-teal-600 text-white dark:bg-teal-500",
  "bg-orange-500 text-white dark:bg-orange-500",
  "bg-fuchsia-600 text-white dark:bg-fuchsia-500",
  "bg-lime-600 text-white dark:bg-lime-500",
  "bg-indigo-500 text-white dark:bg-indigo-400",
];

const FIXED_FILL: Record<Exclude<CellState, "vcpu">, string> = {
  housekeeping: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  "isolated-free": "bg-emerald-100 text-emerald-900 ring-1 ring-inset ring-emerald-500 dark:bg-emerald-900/50 dark:text-emerald-100 dark:ring-emerald-500",
  emulator: "bg-amber-400 text-amber-950 dark:bg-amber-500 dark:text-amber-950",
  "reserved-sibling": "bg-slate-400 text-white dark:bg-slate-500 dark:text-white [background-image:repeating-linear-gradient(45deg,transparent_0_3px,rgba(255,255,255,.35)_3px_5px)]",
  offline: "bg-white text-slate-400 ring-1 ring-inset ring-dashed ring-slate-300 dark:bg-slate-950 dark:text-slate-600 dark:ring-slate-700",
  "preview-vcpu": "bg-sky-200 text-sky-950 ring-2 ring-inset ring-sky-600 dark:bg-sky-900 dark:text-sky-50 dark:ring-sky-400",
  "preview-emulator": "bg-amber-200 text-amber-950 ring-2 ring-inset ring-amber-600 dark:bg-amber-900 dark:text-amber-50 dark:ring-amber-400",
  "preview-reserved": "bg-slate-300 text-slate-900 ring-2 ring-inset ring-slate-600 dark:bg-slate-600 dark:text-white dark:ring-slate-300",
};

type Core = { key: string; threads: CpuMapCpu[] };
type Node = { node: number; cores: Core[] };
type Socket = { pkg: number; nodes: Node[] };

/** sockets → NUMA nodes → cores → hardware threads, each level in CPU order. */
function layout(cpus: readonly CpuMapCpu[]): Socket[] {
  const sockets = new Map<number, Map<number, Map<string, CpuMapCpu[]>>>();
  for (const c of [...cpus].sort((a, b) => a.cpu - b.cpu)) {
    const nodes = sockets.get(c.package) ?? new Map<number, Map<string, CpuMapCpu[]>>();
    sockets.set(c.package, nodes);
    const cores = nodes.get(c.node) ?? new Map<string, CpuMapCpu[]>();
    nodes.set(c.node, cores);
    cores.set(c.coreKey, [...(cores.get(c.coreKey) ?? []), c]);
  }
  return [...sockets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([pkg, nodes]) => ({
      pkg,
      nodes: [...nodes.entries()].sort(([a], [b]) => a - b).map(([node, cores]) => ({ node, cores: [...cores.entries()].map(([key, threads]) => ({ key, threads })) })),
    }));
}

function cellState(c: CpuMapCpu, preview: PreviewOverlay | null): CellState {
  if (preview) {
    if (preview.vcpuPins.some((p) => p.cpu === c.cpu)) return "preview-vcpu";
    if (preview.reservedCpus.includes(c.cpu)) return "preview-reserved";
    if (preview.emulatorIsolated && preview.emulatorCpus.includes(c.cpu)) return "preview-emulator";
  }
  return c.state;
}

function describe(c: CpuMapCpu, state: CellState, preview: PreviewOverlay | null): string {
  const parts = [`CPU ${c.cpu}`, STATE_LABEL[state]];
  if (c.vnf) parts.push(c.vnf.vcpu === null ? c.vnf.name : `${c.vnf.name} vCPU ${c.vnf.vcpu}`);
  const pin = preview?.vcpuPins.find((p) => p.cpu === c.cpu);
  if (pin && preview) parts.push(`${preview.vnfName} vCPU ${pin.vcpu}`);
  parts.push(`node ${c.node}`);
  if (c.irqs.length > 0) parts.push(`${c.irqs.length} IRQ${c.irqs.length === 1 ? "" : "s"}`);
  return parts.join(", ");
}

export function CpuMap({ map, preview = null }: { map: HostCpuMap; preview?: PreviewOverlay | null }) {
  const sockets = useMemo(() => layout(map.cpus), [map.cpus]);
  const vnfIndex = useMemo(() => new Map(map.vnfs.map((v, i) => [v.id, i])), [map.vnfs]);
  const [focused, setFocused] = useState<number | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const byCpu = useMemo(() => new Map(map.cpus.map((c) => [c.cpu, c])), [map.cpus]);
  const highlighted = highlight === null ? null : new Set(map.cpus.filter((c) => c.vnf?.id === highlight || (map.vnfs.find((v) => v.id === highlight)?.emulatorCpus.includes(c.cpu) ?? false)).map((c) => c.cpu));
  const detail = focused === null ? null : (byCpu.get(focused) ?? null);
  const fillOf = (c: CpuMapCpu, state: CellState) =>
    state === "vcpu" ? (VNF_FILLS[(vnfIndex.get(c.vnf?.id ?? "") ?? 0) % VNF_FILLS.length] ?? VNF_FILLS[0]) : FIXED_FILL[state];

  return (
    <div className="space-y-4" data-testid="cpu-map">
      <Legend preview={preview !== null} />
      <div className="grid gap-4 xl:grid-cols-[1fr_20rem]">
        <div className="space-y-4 overflow-x-auto">
          {sockets.map((s) => (
            <section key={s.pkg} aria-label={`Socket ${s.pkg}`} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
              <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Socket {s.pkg}</h3>
              <div className="space-y-3">
                {s.nodes.map((n) => (
                  <div key={n.node} role="group" aria-label={`NUMA node ${n.node}`} data-testid={`cpu-map-node-${n.node}`}>
                    <div className="mb-1 flex items-baseline gap-3 text-xs text-slate-600 dark:text-slate-300">
                      <span className="font-semibold">NUMA node {n.node}</span>
                      <span className="text-slate-500 dark:text-slate-400">
                        {n.cores.length} cores · isolated {formatCpuList(n.cores.flatMap((c) => c.threads.filter((t) => t.isolated).map((t) => t.cpu))) || "none"}
                      </span>
                      <NodeHugepages map={map} node={n.node} />
                    </div>
                    <ul className="flex flex-wrap gap-1.5" aria-label={`Cores of node ${n.node}`}>
                      {n.cores.map((core) => (
                        <li key={core.key} className="flex gap-px rounded-md border border-slate-300 bg-slate-50 p-0.5 dark:border-slate-700 dark:bg-slate-900" title={`core ${core.key}`}>
                          {core.threads.map((c) => {
                            const state = cellState(c, preview);
                            const dim = highlighted !== null && !highlighted.has(c.cpu);
                            return (
                              <button
                                key={c.cpu}
                                type="button"
                                data-testid={`cpu-${c.cpu}`}
                                data-state={state}
                                data-vnf={c.vnf?.name ?? undefined}
                                aria-label={describe(c, state, preview)}
                                aria-pressed={highlight !== null && c.vnf?.id === highlight}
                                onMouseEnter={() => setFocused(c.cpu)}
                                onFocus={() => setFocused(c.cpu)}
                                onClick={() => setHighlight(c.vnf ? (highlight === c.vnf.id ? null : c.vnf.id) : null)}
                                className={`relative h-8 w-9 rounded-sm text-[11px] font-medium tabular-nums leading-none focus-visible:z-10 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 dark:focus-visible:outline-sky-300 ${fillOf(c, state)} ${dim ? "opacity-25" : ""} ${highlighted?.has(c.cpu) ? "outline-2 outline-offset-1 outline-slate-900 dark:outline-white" : ""}`}
                              >
                                {c.cpu}
                                {STATE_MARK[state] && <span aria-hidden="true" className="absolute right-0.5 top-0 text-[8px] opacity-80">{STATE_MARK[state]}</span>}
                              </button>
                            );
                          })}
                        </li>
                      ))}
                    </ul>
                  </div>
                ))}
              </div>
            </section>
          ))}
        </div>
        <aside className="space-y-4">
          <CpuDetail cpu={detail} preview={preview} />
          <VnfList map={map} highlight={highlight} setHighlight={setHighlight} vnfIndex={vnfIndex} />
        </aside>
      </div>
      <UnknownVms map={map} />
    </div>
  );
}

function NodeHugepages({ map, node }: { map: HostCpuMap; node: number }) {
  const rows = map.hugepages.filter((h) => h.node === node && (h.free > 0 || h.placed > 0));
  if (rows.length === 0) return null;
  return (
    <span className="text-slate-500 dark:text-slate-400" data-testid={`node-hugepages-${node}`}>
      hugepages {rows.map((h) => `${h.pageSize}: ${h.left} left (${h.free} free on the host, ${h.placed} placed)`).join(" · ")}
    </span>
  );
}

function Legend({ preview }: { preview: boolean }) {
  const states: CellState[] = ["housekeeping", "isolated-free", "vcpu", "emulator", "reserved-sibling", "offline", ...(preview ? (["preview-vcpu", "preview-emulator", "preview-reserved"] as const) : [])];
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-300" aria-label="Legend">
      {states.map((s) => (
        <li key={s} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={`relative inline-block h-4 w-5 rounded-sm text-[8px] leading-4 ${s === "vcpu" ? VNF_FILLS[0] : FIXED_FILL[s]}`}>
            <span className="absolute right-0.5 top-0">{STATE_MARK[s]}</span>
          </span>
          {STATE_LABEL[s]}
        </li>
      ))}
    </ul>
  );
}

function CpuDetail({ cpu, preview }: { cpu: CpuMapCpu | null; preview: PreviewOverlay | null }) {
  return (
    <div aria-live="polite" className="rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="cpu-detail">
      {cpu === null ? (
        <p className="text-slate-500 dark:text-slate-400">Hover a CPU, or Tab to it, for its details; click (or Enter on) a VNF&apos;s CPU to highlight all of its CPUs.</p>
      ) : (
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
          <dt className="text-slate-500 dark:text-slate-400">CPU</dt>
          <dd className="font-semibold tabular-nums">{cpu.cpu}</dd>
          <dt className="text-slate-500 dark:text-slate-400">State</dt>
          <dd>{STATE_LABEL[cellState(cpu, preview)]}</dd>
          {cpu.vnf && (
            <>
              <dt className="text-slate-500 dark:text-slate-400">VNF</dt>
              <dd>{cpu.vnf.vcpu === null ? cpu.vnf.name : `${cpu.vnf.name} · vCPU ${cpu.vnf.vcpu}`}</dd>
            </>
          )}
          {cpu.sharedEmulatorOf.length > 0 && (
            <>
              <dt className="text-slate-500 dark:text-slate-400">Emulator of</dt>
              <dd>{cpu.sharedEmulatorOf.join(", ")} (shared)</dd>
            </>
          )}
          <dt className="text-slate-500 dark:text-slate-400">Socket / node</dt>
          <dd>
            {cpu.package} / {cpu.node}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Siblings</dt>
          <dd className="font-mono text-xs leading-5">{formatCpuList(cpu.siblings)}</dd>
          <dt className="text-slate-500 dark:text-slate-400">L3 domain</dt>
          <dd>{cpu.l3Id ?? "unknown"}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Isolation</dt>
          <dd>{[cpu.isolated ? "isolcpus" : "not isolated", cpu.nohzFull ? "nohz_full" : null, cpu.rcuNocbs ? "rcu_nocbs" : null].filter(Boolean).join(", ")}</dd>
          <dt className="text-slate-500 dark:text-slate-400">IRQs here</dt>
          <dd>
            {cpu.irqs.length === 0 ? (
              <span className="text-slate-500 dark:text-slate-400">none (effective affinity)</span>
            ) : (
              <ul className="max-h-32 overflow-y-auto font-mono text-xs">
                {cpu.irqs.map((i) => (
                  <li key={i.irq}>
                    {i.irq}
                    {i.managed ? " · managed" : ""}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          {cpu.vmThreads.length > 0 && (
            <>
              <dt className="text-slate-500 dark:text-slate-400">VM threads</dt>
              <dd>
                <ul className="text-xs">
                  {cpu.vmThreads.map((t) => (
                    <li key={`${t.pid}-${t.thread}`}>
                      {t.vm} · {t.thread}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}

const PINNING_TEXT = { matches: "pinned as assigned", differs: "real pinning differs", "not-running": "not running", unknown: "pinning unknown" } as const;
const PINNING_TONE = {
  matches: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300",
  differs: "bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-300",
  "not-running": "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  unknown: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
} as const;

function VnfList({ map, highlight, setHighlight, vnfIndex }: { map: HostCpuMap; highlight: string | null; setHighlight: (id: string | null) => void; vnfIndex: Map<string, number> }) {
  return (
    <div className="rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="cpu-map-vnfs">
      <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">VNFs on this host</h3>
      {map.vnfs.length === 0 ? (
        <p className="text-slate-500 dark:text-slate-400">No VNF is placed here.</p>
      ) : (
        <ul className="space-y-2">
          {map.vnfs.map((v) => (
            <li key={v.id} data-testid={`map-vnf-${v.name}`}>
              <button
                type="button"
                aria-pressed={highlight === v.id}
                onClick={() => setHighlight(highlight === v.id ? null : v.id)}
                className="flex w-full items-center gap-2 rounded-md px-1 py-0.5 text-left hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:bg-slate-800"
              >
                <span aria-hidden="true" className={`inline-block size-3 shrink-0 rounded-sm ${VNF_FILLS[(vnfIndex.get(v.id) ?? 0) % VNF_FILLS.length]}`} />
                <span className="font-medium">{v.name}</span>
                <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{formatCpuList(v.cpus)}</span>
                <span className={`ml-auto rounded px-1.5 py-0.5 text-[11px] font-semibold ${PINNING_TONE[v.pinning]}`} data-testid="pinning-status">
                  {PINNING_TEXT[v.pinning]}
                </span>
              </button>
              {v.differences.length > 0 && (
                <ul className="ml-5 mt-1 list-disc text-xs text-rose-700 dark:text-rose-300">
                  {v.differences.map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {map.vmsState !== "ok" && <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">The host reports no VM list ({map.vmsState}): real pinning cannot be compared.</p>}
    </div>
  );
}

function UnknownVms({ map }: { map: HostCpuMap }) {
  if (map.unknownVms.length === 0) return null;
  return (
    <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-500/40 dark:bg-amber-500/10" data-testid="unknown-vms">
      <p className="font-medium text-amber-900 dark:text-amber-200">
        {map.unknownVms.length} running VM{map.unknownVms.length === 1 ? "" : "s"} nfvdeck does not know (no placed VNF of that name):
      </p>
      <ul className="mt-1 space-y-0.5 text-amber-900 dark:text-amber-100">
        {map.unknownVms.map((v) => (
          <li key={v.pid}>
            <span className="font-medium">{v.name ?? "unnamed"}</span> · pid {v.pid} · CPUs <span className="font-mono text-xs">{formatCpuList(v.cpus) || "unknown"}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
