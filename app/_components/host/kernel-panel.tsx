import type { ReactNode } from "react";
import type { KernelSection } from "@/server/contract/sections/kernel";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";
import { Facts, Mono, Muted, SubHeading, YesNo } from "@/app/_components/panel";
import { orDash } from "@/app/_components/format";

function cpus(list: readonly number[] | null | undefined): ReactNode {
  if (list === null || list === undefined) return <Muted>not set</Muted>;
  if (list.length === 0) return <Muted>none</Muted>;
  return (
    <span>
      <Mono>{formatCpuList(list)}</Mono> <Muted>({list.length})</Muted>
    </span>
  );
}

function rtThrottling(sysctl: KernelSection["sysctl"]): ReactNode {
  const { schedRtRuntimeUs: runtime, schedRtPeriodUs: period } = sysctl;
  if (runtime === null) return <Muted>unknown</Muted>;
  if (runtime < 0) return <span className="font-medium text-emerald-700 dark:text-emerald-400">disabled (sched_rt_runtime_us = -1)</span>;
  const share = period ? ` = ${((runtime / period) * 100).toFixed(1)} %` : "";
  return (
    <span className="font-medium text-amber-700 dark:text-amber-400">
      enabled: {runtime} / {orDash(period)} µs{share}
    </span>
  );
}

type IsolationRow = { source: string; detail?: string; value: ReactNode };

function isolationRows(k: KernelSection): IsolationRow[] {
  const c = k.cmdline;
  const param = (p: { raw: string; cpus: number[] | null } | null | undefined): ReactNode => {
    if (!p) return <Muted>not set</Muted>;
    if (p.cpus === null) return <span className="text-amber-700 dark:text-amber-400">unparseable: <Mono>{p.raw}</Mono></span>;
    return cpus(p.cpus);
  };
  return [
    {
      source: "isolcpus=",
      detail: c?.isolcpus && c.isolcpus.flags.length > 0 ? c.isolcpus.flags.join(",") : undefined,
      value: c?.isolcpus ? param({ raw: c.isolcpus.raw, cpus: c.isolcpus.cpus }) : <Muted>not set</Muted>,
    },
    { source: "nohz_full=", value: param(c?.nohzFull) },
    { source: "rcu_nocbs=", value: param(c?.rcuNocbs) },
    { source: "irqaffinity=", value: param(c?.irqaffinity) },
    { source: "/sys/…/cpu/isolated", value: k.sysIsolated === null ? <Muted>absent</Muted> : cpus(k.sysIsolated) },
    { source: "/sys/…/cpu/nohz_full", value: k.sysNohzFull === null ? <Muted>absent</Muted> : cpus(k.sysNohzFull) },
    { source: "isolated (union)", value: cpus(k.isolatedCpus) },
    { source: "housekeeping", value: cpus(k.housekeepingCpus) },
  ];
}

/** Kernel section of the latest report: release, isolation sets, runtime knobs, the command line. */
export function KernelPanel({ kernel }: { kernel: KernelSection }) {
  const c = kernel.cmdline;
  return (
    <div className="space-y-6">
      <div className="grid gap-6 lg:grid-cols-2">
        <div>
          <SubHeading>Kernel</SubHeading>
          <Facts
            items={[
              ["Release", <Mono key="r"><span data-testid="kernel-release">{orDash(kernel.release)}</span></Mono>],
              ["Version", <Mono key="v">{orDash(kernel.version)}</Mono>],
              ["Preemption", orDash(kernel.preemptModel)],
              ["PREEMPT_RT", <YesNo key="rt" value={kernel.preemptRt} good />],
              ["NOHZ_FULL built in", <YesNo key="nz" value={kernel.nohzFullSupported} good />],
              [
                "Clocksource",
                kernel.clocksource ? (
                  <span key="cs">
                    <Mono>{orDash(kernel.clocksource.current)}</Mono>
                    {kernel.clocksource.available.length > 0 && <Muted> (available: {kernel.clocksource.available.join(", ")})</Muted>}
                  </span>
                ) : (
                  <Muted key="cs">unknown</Muted>
                ),
              ],
              ["RT throttling", rtThrottling(kernel.sysctl)],
              ["timer_migration", orDash(kernel.sysctl.timerMigration)],
              ["numa_balancing", orDash(kernel.sysctl.numaBalancing)],
              ["nmi_watchdog", orDash(kernel.sysctl.nmiWatchdog)],
              [
                "Transparent hugepages",
                <span key="thp">
                  enabled <Mono>{orDash(kernel.thp.enabled)}</Mono> · defrag <Mono>{orDash(kernel.thp.defrag)}</Mono>
                </span>,
              ],
              [
                "irqbalance",
                <span key="irqb">
                  {kernel.irqbalance.running ? (
                    <span className="font-medium">running{kernel.irqbalance.pids.length > 0 && <Muted> (pid {kernel.irqbalance.pids.join(", ")})</Muted>}</span>
                  ) : (
                    <span className="font-medium">not running</span>
                  )}
                  {" · banned CPUs "}
                  {kernel.irqbalance.bannedCpus === null ? <Muted>none configured</Muted> : cpus(kernel.irqbalance.bannedCpus)}
                  {kernel.irqbalance.bannedSource && <Muted> from <Mono>{kernel.irqbalance.bannedSource}</Mono></Muted>}
                </span>,
              ],
            ]}
          />
        </div>
        <div>
          <SubHeading>CPU isolation</SubHeading>
          <table className="w-full text-sm" data-testid="isolation-table">
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {isolationRows(kernel).map((r) => (
                <tr key={r.source}>
                  <th scope="row" className="w-44 py-1 pr-3 text-left align-top font-normal text-slate-500 dark:text-slate-400">
                    <Mono>{r.source}</Mono>
                    {r.detail && <span className="ml-1 text-xs">[{r.detail}]</span>}
                  </th>
                  <td className="py-1">{r.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>

      <div>
        <SubHeading>Command line</SubHeading>
        {c === null ? (
          <Muted>/proc/cmdline was not readable.</Muted>
        ) : (
          <div className="space-y-3">
            <pre className="whitespace-pre-wrap break-all rounded-md bg-slate-100 px-3 py-2 font-mono text-xs text-slate-800 dark:bg-slate-950 dark:text-slate-200">{c.raw}</pre>
            {c.params.length > 0 && (
              <div className="max-h-96 overflow-auto rounded-md border border-slate-200 dark:border-slate-800">
                <table className="w-full text-sm" aria-label="Kernel command-line parameters" data-testid="cmdline-params">
                  <thead className="sticky top-0 bg-slate-50 text-left text-xs text-slate-500 dark:bg-slate-800 dark:text-slate-400">
                    <tr>
                      <th scope="col" className="w-8 px-3 py-1.5 text-right font-medium">#</th>
                      <th scope="col" className="w-1/3 px-3 py-1.5 font-medium">Parameter</th>
                      <th scope="col" className="px-3 py-1.5 font-medium">Value</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {c.params.map((p, i) => (
                      <tr key={i}>
                        <td className="px-3 py-1 text-right text-xs tabular-nums text-slate-400">{i + 1}</td>
                        <td className="px-3 py-1 font-mono text-xs break-all">{p.key}</td>
                        <td className="px-3 py-1 font-mono text-xs break-all">{p.value === null ? <Muted>(flag)</Muted> : p.value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
      </div>

      {kernel.warnings.length > 0 && (
        <div>
          <SubHeading>Collector warnings</SubHeading>
          <ul className="list-inside list-disc text-sm text-amber-800 dark:text-amber-300">
            {kernel.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
