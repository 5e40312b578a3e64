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

const MIB = 1024 * 1024;
const mib = (v: number | null) => (v === null ? "—" : `${(v / MIB).toFixed(1)} MiB`);
const gbps = (v: number | null) => (v === null ? "—" : `${(v / 1e9).toFixed(2)} GB/s`);

/** Noisy-neighbour events as a table: window, L3 domain, who jumped (before → after), who lost. */
export function NoisyNeighbourTable({ events }: { events: readonly NoisyNeighbourView[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400" data-testid="noisy-none">No noisy neighbour flagged in this window.</p>;
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Noisy-neighbour events">
      <table className="w-full text-sm" data-testid="noisy-table">
        <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
          <tr>
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
          {events.map((e) => (
            <tr key={`${e.domain}/${e.aggressor}/${e.victim ?? ""}/${e.fromMs}`} data-testid="noisy-row">
              <td className="px-2 py-1 whitespace-nowrap">
                {formatAbsoluteTime(new Date(e.fromMs))} – {formatAbsoluteTime(new Date(e.toMs))}
              </td>
              <td className="px-2 py-1">#{domainIdOf(e.domain) ?? e.domain}</td>
              <th scope="row" className="px-2 py-1 text-left font-medium">
                {groupDisplayName(e.aggressor)} <span className="text-xs font-normal text-slate-500 dark:text-slate-400">({e.jumped.join(", ")})</span>
              </th>
              <td className="px-2 py-1 font-mono text-xs whitespace-nowrap">
                {gbps(e.aggressorBefore.mbmTotalBps)} → {gbps(e.aggressorAfter.mbmTotalBps)}
              </td>
              <td className="px-2 py-1 font-mono text-xs whitespace-nowrap">
                {mib(e.aggressorBefore.occupancyBytes)} → {mib(e.aggressorAfter.occupancyBytes)}
              </td>
              <td className="px-2 py-1">{e.victim === null ? "host latency" : groupDisplayName(e.victim)}</td>
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
