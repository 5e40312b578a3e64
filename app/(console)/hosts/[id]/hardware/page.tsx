import { z } from "zod";
import { Panel } from "@/app/_components/panel";
import { SectionStateNotice } from "@/app/_components/host/section-state";
import { Reported } from "@/app/_components/host/reported";
import { IrqPanel, type IrqFilter } from "@/app/_components/host/irq-panel";
import { HugepagesPanel } from "@/app/_components/host/hugepages-panel";
import { PowerPanel } from "@/app/_components/host/power-panel";
import { BiosNotice, BiosPanel } from "@/app/_components/host/bios-panel";
import { KvmPanel } from "@/app/_components/host/kvm-panel";
import { biosSettingsNotice } from "@/server/domain/hosts/runtime-view";
import { loadHostOverview } from "../load-host";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export const metadata = { title: "Hardware & runtime" };

/** ?irqs=isolated shows only IRQs on isolated CPUs; anything else (or nothing) shows all. */
const irqFilterParam = z.enum(["all", "isolated"]).catch("all");

const JUMP = [
  ["irqs", "IRQs"],
  ["hugepages", "Hugepages"],
  ["kvm", "KVM"],
  ["power", "Power"],
  ["bios", "BIOS"],
] as const;

/** Hardware & runtime tab: IRQs, hugepages, power, BIOS and KVM of the latest report (server-rendered). */
export default async function HostHardwarePage({ params, searchParams }: Props) {
  const { host, topology, kernel, irq, hugepages, power, bios, kvm } = await loadHostOverview((await params).id, "/hardware");
  const filter: IrqFilter = irqFilterParam.parse((await searchParams).irqs);
  const isolated = kernel.state === "ok" ? kernel.data.isolatedCpus : null;
  const base = `/hosts/${host.id}/hardware`;
  const hrefFor = (f: IrqFilter) => (f === "all" ? `${base}#irqs` : `${base}?irqs=isolated#irqs`);
  const isVirtual = host.isVirtual ?? (topology.state === "ok" && topology.data.isVirtual);
  const biosNotice = biosSettingsNotice(bios, isVirtual);
  return (
    <div className="space-y-6">
      <nav aria-label="Sections on this page" className="print:hidden">
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {JUMP.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Panel title="IRQs" id="irqs" actions={irq.collectedAt && <Reported at={irq.collectedAt} />}>
        {irq.state === "ok" ? <IrqPanel irq={irq.data} isolatedCpus={isolated} filter={filter} hrefFor={hrefFor} /> : <SectionStateNotice name="irq" view={irq} />}
      </Panel>
      <div className="grid gap-6 xl:grid-cols-2">
        <Panel title="Hugepages" id="hugepages" actions={hugepages.collectedAt && <Reported at={hugepages.collectedAt} />}>
          {hugepages.state === "ok" ? (
            <HugepagesPanel hugepages={hugepages.data} topology={topology.state === "ok" ? topology.data : null} isolatedCpus={isolated} />
          ) : (
            <SectionStateNotice name="hugepages" view={hugepages} />
          )}
        </Panel>
        <Panel title="KVM module parameters" id="kvm" actions={kvm.collectedAt && <Reported at={kvm.collectedAt} />}>
          {kvm.state === "ok" ? <KvmPanel kvm={kvm.data} /> : <SectionStateNotice name="kvm" view={kvm} />}
        </Panel>
      </div>
      <Panel title="Power" id="power" actions={power.collectedAt && <Reported at={power.collectedAt} />}>
        {power.state === "ok" ? <PowerPanel power={power.data} /> : <SectionStateNotice name="power" view={power} />}
      </Panel>
      <Panel title="BIOS" id="bios" actions={bios.collectedAt && <Reported at={bios.collectedAt} />}>
        {bios.state === "ok" ? (
          <BiosPanel bios={bios.data} notice={biosNotice} />
        ) : bios.state === "unavailable" && biosNotice !== null ? (
          <BiosNotice text={biosNotice} />
        ) : (
          <SectionStateNotice name="bios" view={bios} />
        )}
      </Panel>
    </div>
  );
}
