import { Panel } from "@/app/_components/panel";
import { SectionStateNotice } from "@/app/_components/host/section-state";
import { TopologyPanel } from "@/app/_components/host/topology-panel";
import { KernelPanel } from "@/app/_components/host/kernel-panel";
import { Reported } from "@/app/_components/host/reported";
import { loadHostOverview } from "./load-host";

type Props = { params: Promise<{ id: string }> };

/** Overview tab: topology and kernel of the latest report (server-rendered; no client JS needed). */
export default async function HostOverviewPage({ params }: Props) {
  const { topology, kernel } = await loadHostOverview((await params).id);
  const isolated = kernel.state === "ok" ? kernel.data.isolatedCpus : null;
  return (
    <div className="space-y-6">
      <Panel title="Topology" id="topology" actions={topology.collectedAt && <Reported at={topology.collectedAt} />}>
        {topology.state === "ok" ? <TopologyPanel topology={topology.data} isolatedCpus={isolated} /> : <SectionStateNotice name="topology" view={topology} />}
      </Panel>
      <Panel title="Kernel" id="kernel" actions={kernel.collectedAt && <Reported at={kernel.collectedAt} />}>
        {kernel.state === "ok" ? <KernelPanel kernel={kernel.data} /> : <SectionStateNotice name="kernel" view={kernel} />}
      </Panel>
    </div>
  );
}
