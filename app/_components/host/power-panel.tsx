import type { PowerSection } from "@/server/contract/sections/power";
import { turboView } from "@/server/domain/hosts/runtime-view";
import { Facts, Mono, Muted, SubHeading, YesNo } from "@/app/_components/panel";
import { orDash } from "@/app/_components/format";
import { CpuList } from "@/app/_components/host/cpu-chips";
import { CollectorWarnings } from "@/app/_components/host/collector-warnings";

const mhz = (khz: number | null) => (khz === null ? "—" : `${Math.round(khz / 1000).toLocaleString("en-US")}`);

function IdleStatus({ disabled, latencyUs }: { disabled: boolean | null; latencyUs: number | null }) {
  if (disabled === null) return <Muted>unknown</Muted>;
  if (disabled) return <span className="font-medium text-emerald-700 dark:text-emerald-400">disabled</span>;
  // POLL (exit latency 0) costs nothing to leave; a deeper state that can be entered adds wake-up latency.
  if (latencyUs === 0) return <span>enabled</span>;
  return <span className="font-medium text-amber-700 dark:text-amber-400">enabled</span>;
}

function Turbo({ turbo }: { turbo: PowerSection["turbo"] }) {
  const v = turboView(turbo);
  const tone = v.state === "on" ? "text-amber-700 dark:text-amber-400" : v.state === "off" ? "text-emerald-700 dark:text-emerald-400" : "text-slate-500 dark:text-slate-400";
  return (
    <span data-testid="power-turbo" data-state={v.state}>
      <span className={`font-medium ${tone}`}>{v.state}</span> <Muted>({v.source})</Muted>
    </span>
  );
}

/** The observed effect of BIOS power settings: cpuidle states per CPU group, cpufreq, turbo, SMT. */
export function PowerPanel({ power }: { power: PowerSection }) {
  const p = power.intelPstate;
  return (
    <div className="space-y-6">
      <Facts
        className="sm:grid-cols-[minmax(8rem,auto)_1fr_minmax(8rem,auto)_1fr]"
        items={[
          ["cpuidle driver", <Mono key="d">{orDash(power.cpuidle.driver)}</Mono>],
          ["cpuidle governor", <Mono key="g">{orDash(power.cpuidle.governor)}</Mono>],
          ["Turbo", <Turbo key="t" turbo={power.turbo} />],
          [
            "SMT",
            <span key="s" data-testid="power-smt">
              active <YesNo value={power.smt.active} /> · control <Mono>{orDash(power.smt.control)}</Mono>
            </span>,
          ],
          ...(p
            ? ([
                ["intel_pstate", <Mono key="ps">{orDash(p.status)}</Mono>],
                ["min / max perf", <span key="pp" className="tabular-nums">{p.minPerfPct === null ? "—" : `${p.minPerfPct} %`} / {p.maxPerfPct === null ? "—" : `${p.maxPerfPct} %`}</span>],
              ] as const)
            : []),
        ]}
      />

      <div>
        <SubHeading>Frequency scaling (cpufreq)</SubHeading>
        {power.cpufreq.groups.length === 0 ? (
          <p className="text-sm"><Muted>No cpufreq on any CPU (a VM, or cpufreq disabled).</Muted></p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="cpufreq-groups">
              <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">CPUs</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Driver</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Governor</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">Min–max MHz</th>
                  <th scope="col" className="py-1 pr-3 text-right font-medium">HW max MHz</th>
                  <th scope="col" className="py-1 font-medium">EPP</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {power.cpufreq.groups.map((g, i) => (
                  <tr key={i}>
                    <td className="py-1 pr-3"><CpuList cpus={g.cpus} /></td>
                    <td className="py-1 pr-3 font-mono text-xs">{orDash(g.driver)}</td>
                    <td className={`py-1 pr-3 font-mono text-xs ${g.governor !== null && g.governor !== "performance" ? "text-amber-700 dark:text-amber-400" : ""}`}>{orDash(g.governor)}</td>
                    <td className="py-1 pr-3 text-right text-xs tabular-nums">{mhz(g.minKhz)}–{mhz(g.maxKhz)}</td>
                    <td className="py-1 pr-3 text-right text-xs tabular-nums">{mhz(g.hwMaxKhz)}</td>
                    <td className="py-1 font-mono text-xs">{orDash(g.epp)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {power.cpufreq.groups.length > 0 && power.cpufreq.cpusWithoutCpufreq.length > 0 && (
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            No cpufreq on CPUs <CpuList cpus={power.cpufreq.cpusWithoutCpufreq} />
          </p>
        )}
      </div>

      <div>
        <SubHeading>Idle states (cpuidle)</SubHeading>
        {power.cpuidle.groups.length === 0 ? (
          <p className="text-sm"><Muted>No cpuidle states on any CPU.</Muted></p>
        ) : (
          <div className="grid gap-4 xl:grid-cols-2">
            {power.cpuidle.groups.map((g, i) => (
              <div key={i} className="overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800" data-testid="cpuidle-group">
                <table className="w-full text-sm">
                  <caption className="bg-slate-50 px-3 py-1.5 text-left text-xs font-semibold text-slate-700 dark:bg-slate-800 dark:text-slate-200">
                    CPUs <CpuList cpus={g.cpus} />
                  </caption>
                  <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                    <tr>
                      <th scope="col" className="px-3 py-1 font-medium">State</th>
                      <th scope="col" className="px-3 py-1 font-medium">Description</th>
                      <th scope="col" className="px-3 py-1 text-right font-medium">Latency µs</th>
                      <th scope="col" className="px-3 py-1 text-right font-medium">Residency µs</th>
                      <th scope="col" className="px-3 py-1 font-medium">Status</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {g.states.map((s) => (
                      <tr key={s.index} data-state={s.name}>
                        <td className="px-3 py-1 font-mono text-xs">{s.name}</td>
                        <td className="px-3 py-1 text-xs text-slate-600 dark:text-slate-300">{orDash(s.desc)}</td>
                        <td className="px-3 py-1 text-right text-xs tabular-nums">{orDash(s.latencyUs)}</td>
                        <td className="px-3 py-1 text-right text-xs tabular-nums">{orDash(s.residencyUs)}</td>
                        <td className="px-3 py-1 text-xs"><IdleStatus disabled={s.disabled} latencyUs={s.latencyUs} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </div>
        )}
        {power.cpuidle.cpusWithoutStates.length > 0 && (
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            No cpuidle states on CPUs <CpuList cpus={power.cpuidle.cpusWithoutStates} />
          </p>
        )}
      </div>
      <CollectorWarnings warnings={power.warnings} />
    </div>
  );
}
