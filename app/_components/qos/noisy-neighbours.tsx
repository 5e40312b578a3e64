import { formatAbsoluteTime } from "@/app/_components/format";
import { groupDisplayName } from "@/server/domain/qos/vnf-group";
import { domainIdOf } from "@/server/domain/qos/qos-series";

export interface NoisyNeighbourView {
  domain: string;
  aggressor: string;
  victim: string | null;
  fromMs: number;
  toMs: number;
  jumped: Array<"bandwidth" | "occupancy">;
  aggressorBefore: { occupancyBytes: number | null; mbmTotalBps: number | null };
  aggressorAfter: { occupancyBytes: number | null; mbmTotalBps: number | null };
  victimOccupancyBefore: number | null;
  victimOccupancyAfter: number | null;
  latencyBeforeUs: number | null;
  latencyAfterUs: number | null;
}

/** A VNF's part in an event. */
export type NoisyNeighbourRole = "aggressor" | "victim";

const MIB = 1024 * 1024;
const mib = (v: number | null) => (v === null ? "—" : `${(v / MIB).toFixed(1)} MiB`);
const gbps = (v: number | null) => (v === null ? "—" : `${(v / 1e9).toFixed(2)} GB/s`);

/** Test ids, accessible name and empty text of the host's table and of a VNF's. */
const VARIANTS = {
  host: { testId: "noisy", label: "Noisy-neighbour events", empty: "No noisy neighbour flagged in this window." },
  vnf: { testId: "vnf-noisy", label: "Noisy-neighbour events of this VNF", empty: "This VNF was neither noisy nor a victim in this window." },
} as const;

type Props =
  /** every event on a host */
  | { variant: "host"; events: readonly NoisyNeighbourView[] }
  /** the events one VNF took part in: an "As" column (its role, the row's header) comes first */
  | { variant: "vnf"; events: readonly { role: NoisyNeighbourRole; event: NoisyNeighbourView }[] };

/** Noisy-neighbour events as a table: window, L3 domain, who jumped (before → after), who lost. */
export function NoisyNeighbourTable(props: Props) {
  const v = VARIANTS[props.variant];
  const rows: ReadonlyArray<{ role: NoisyNeighbourRole | null; event: NoisyNeighbourView }> = props.variant === "vnf" ? props.events : props.events.map((event) => ({ role: null, event }));
  const byRole = props.variant === "vnf";
  if (rows.length === 0) {
    return (
      <p className="text-sm text-slate-500 dark:text-slate-400" data-testid={`${v.testId}-none`}>
        {v.empty}
      </p>
    );
  }
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={v.label}>
      <table className="w-full text-sm" data-testid={`${v.testId}-table`}>
        <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
          <tr>
            {byRole && <th scope="col" className="px-2 py-1 font-medium">As</th>}
            <th scope="col" className="px-2 py-1 font-medium">Window</th>
            <th scope="col" className="px-2 py-1 font-medium">L3</th>
            <th scope="col" className="px-2 py-1 font-medium">Noisy (jumped)</th>
            <th scope="col" className="px-2 py-1 font-medium">Bandwidth</th>
            <th scope="col" className="px-2 py-1 font-medium">Occupancy</th>
            <th scope="col" className="px-2 py-1 font-medium">Victim</th>
            <th scope="col" className="px-2 py-1 font-medium">Victim loses</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map(({ role, event: e }) => (
            <tr key={`${role === null ? "" : `${role}/`}${e.domain}/${e.aggressor}/${e.victim ?? ""}/${e.fromMs}`} data-testid={`${v.testId}-row`}>
              {role !== null && (
                <th scope="row" className="px-2 py-1 text-left">
                  <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${role === "aggressor" ? "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-200" : "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200"}`}>{role}</span>
                </th>
              )}
              <td className="px-2 py-1 whitespace-nowrap">
                {formatAbsoluteTime(new Date(e.fromMs))} – {formatAbsoluteTime(new Date(e.toMs))}
              </td>
              <td className="px-2 py-1">#{domainIdOf(e.domain) ?? e.domain}</td>
              {byRole ? (
                <td className="px-2 py-1">
                  <span className="whitespace-nowrap">{groupDisplayName(e.aggressor)}</span> <span className="text-xs text-slate-500 dark:text-slate-400">({e.jumped.join(", ")})</span>
                </td>
              ) : (
                <th scope="row" className="px-2 py-1 text-left font-medium">
                  {groupDisplayName(e.aggressor)} <span className="text-xs font-normal text-slate-500 dark:text-slate-400">({e.jumped.join(", ")})</span>
                </th>
              )}
              <td className="px-2 py-1 font-mono text-xs whitespace-nowrap">
                {gbps(e.aggressorBefore.mbmTotalBps)} → {gbps(e.aggressorAfter.mbmTotalBps)}
              </td>
              <td className="px-2 py-1 font-mono text-xs whitespace-nowrap">
                {mib(e.aggressorBefore.occupancyBytes)} → {mib(e.aggressorAfter.occupancyBytes)}
              </td>
              <td className={`px-2 py-1${byRole ? " whitespace-nowrap" : ""}`}>{e.victim === null ? "host latency" : groupDisplayName(e.victim)}</td>
              <td className="px-2 py-1 font-mono text-xs whitespace-nowrap">
                {e.victim === null ? `${e.latencyBeforeUs ?? "—"} → ${e.latencyAfterUs ?? "—"} µs max` : `${mib(e.victimOccupancyBefore)} → ${mib(e.victimOccupancyAfter)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
