import type { KvmSection } from "@/server/contract/sections/kvm";
import { kvmParameterRows, type KvmParamVerdict } from "@/server/domain/hosts/runtime-view";
import { Facts, Mono, Muted, YesNo } from "@/app/_components/panel";
import { CollectorWarnings } from "@/app/_components/host/collector-warnings";

const VERDICT: Record<KvmParamVerdict, { text: string; tone: string }> = {
  ok: { text: "as recommended", tone: "text-emerald-700 dark:text-emerald-400" },
  differs: { text: "differs", tone: "text-amber-700 dark:text-amber-400" },
  info: { text: "no recommendation", tone: "text-slate-500 dark:text-slate-400" },
  "n/a": { text: "not exposed", tone: "text-slate-400 dark:text-slate-500" },
};

/** KVM module parameters that matter for real-time guests, with the recommended value. */
export function KvmPanel({ kvm }: { kvm: KvmSection }) {
  const rows = kvmParameterRows(kvm);
  return (
    <div className="space-y-4">
      <Facts
        items={[
          ["Vendor module", kvm.vendorModule ? <Mono key="m">{kvm.vendorModule}</Mono> : <Muted key="m">none loaded (only kvm)</Muted>],
          ["Nested", <YesNo key="n" value={kvm.nested} />],
        ]}
      />
      {kvm.vendorModule === null && (
        <p className="text-xs text-slate-500 dark:text-slate-400">No kvm_intel or kvm_amd module is loaded, so the vendor parameters do not exist (a VM guest without nested KVM, or no hardware virtualisation).</p>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="kvm-params">
          <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">Parameter</th>
              <th scope="col" className="py-1 pr-3 font-medium">Value</th>
              <th scope="col" className="py-1 pr-3 font-medium">Recommended</th>
              <th scope="col" className="py-1 font-medium">Status</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {rows.map((r) => (
              <tr key={r.name} data-param={r.name} data-verdict={r.verdict}>
                <td className="py-1 pr-3 align-top" title={r.note ?? undefined}>
                  <Mono>{r.name}</Mono>
                  <span className="block text-[11px] text-slate-400 dark:text-slate-500">/sys/module/{r.path}</span>
                </td>
                <td className="py-1 pr-3 align-top font-mono text-xs">{r.raw ?? <Muted>—</Muted>}</td>
                <td className="py-1 pr-3 align-top font-mono text-xs">{r.recommended ?? <Muted>—</Muted>}</td>
                <td className={`py-1 align-top text-xs font-medium ${VERDICT[r.verdict].tone}`}>{VERDICT[r.verdict].text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CollectorWarnings warnings={kvm.warnings} />
    </div>
  );
}
