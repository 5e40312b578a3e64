import { Panel } from "@/app/_components/panel";
import { formatAbsoluteTime } from "@/app/_components/format";
import { CpuMap } from "@/app/_components/placement/cpu-map";
import { serverCaller } from "@/app/_trpc/server";
import { loadHostOverview } from "../load-host";

type Props = { params: Promise<{ id: string }> };

export const metadata = { title: "CPUs" };

/** Host CPUs tab: the topology map with each CPU's state, the VNFs placed here and their real pinning. */
export default async function HostCpusPage({ params }: Props) {
  // loadHostOverview signs the viewer in first (and 404s an unknown id)
  const { host } = await loadHostOverview((await params).id, "/cpus");
  const caller = await serverCaller();
  const map = await caller.placement.hostCpuMap({ hostId: host.id });
  if (map.cpus.length === 0) {
    return (
      <Panel title="CPUs" id="cpus-unavailable">
        <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
          This host has not reported its CPU topology yet.
        </p>
      </Panel>
    );
  }
  const packages = new Set(map.cpus.map((c) => c.package)).size;
  const nodes = new Set(map.cpus.map((c) => c.node)).size;
  const cores = new Set(map.cpus.map((c) => c.coreKey)).size;
  return (
    <Panel
      title={`CPUs — ${packages} socket${packages === 1 ? "" : "s"}, ${nodes} NUMA node${nodes === 1 ? "" : "s"}, ${cores} cores, ${map.cpus.length} threads${map.smt ? "" : " (no SMT)"}`}
      id="cpus"
      actions={map.reportedAt ? <span className="text-xs text-slate-500 dark:text-slate-400">topology reported {formatAbsoluteTime(map.reportedAt)}</span> : undefined}
    >
      <CpuMap map={map} />
    </Panel>
  );
}
