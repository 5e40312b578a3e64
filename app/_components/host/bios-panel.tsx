import type { BiosSection, BiosSettingReport } from "@/server/contract/sections/bios";
import { Facts, Mono, Muted, SubHeading } from "@/app/_components/panel";
import { orDash } from "@/app/_components/format";
import { CollectorWarnings } from "@/app/_components/host/collector-warnings";

function Normalised({ value }: { value: BiosSettingReport["value"] }) {
  if (value === null) return <Muted>not understood</Muted>;
  if (typeof value === "boolean") return <span className="font-medium">{value ? "enabled" : "disabled"}</span>;
  return <span className="font-medium">{value}</span>;
}

const raw = (v: string | number | boolean | null) => (v === null ? "null" : String(v));

/** A plain-language notice (no data, or why settings are missing). */
export function BiosNotice({ text }: { text: string }) {
  return (
    <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-600 dark:border-slate-700 dark:bg-slate-800/50 dark:text-slate-300" role="status" data-testid="bios-notice">
      {text}
    </p>
  );
}

/** DMI identity and, where a source reports them, the normalised BIOS settings beside the vendor's name and value. */
export function BiosPanel({ bios, notice }: { bios: BiosSection; notice: string | null }) {
  const d = bios.dmi;
  return (
    <div className="space-y-6">
      <Facts
        className="sm:grid-cols-[minmax(8rem,auto)_1fr_minmax(8rem,auto)_1fr]"
        items={[
          ["System vendor", orDash(d.sysVendor)],
          ["Product", <span key="p" data-testid="bios-product">{orDash(d.productName)}</span>],
          ["BIOS vendor", orDash(d.biosVendor)],
          ["BIOS version", <Mono key="v">{orDash(d.biosVersion)}</Mono>],
          ["BIOS date", <span key="d" className="tabular-nums">{orDash(d.biosDate)}</span>],
          ...(bios.dmidecode
            ? ([
                ["ROM size", orDash(bios.dmidecode.romSize)],
                ["BIOS revision", orDash(bios.dmidecode.biosRevision)],
                ["Firmware revision", orDash(bios.dmidecode.firmwareRevision)],
              ] as const)
            : []),
        ]}
      />
      <div>
        <SubHeading>Settings</SubHeading>
        {bios.settingsSource !== null && (
          <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
            From {bios.settingsSource === "redfish" ? "the Redfish BMC" : "a vendor export file"}
            {bios.settingsOrigin && <> (<Mono>{bios.settingsOrigin}</Mono>)</>}
            {bios.vendor && <>, vendor vocabulary <Mono>{bios.vendor}</Mono></>}
          </p>
        )}
        {notice !== null ? (
          <BiosNotice text={notice} />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="bios-settings">
              <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">Setting</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Value</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Vendor name</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Raw value</th>
                  <th scope="col" className="py-1 font-medium">Pending (next boot)</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {bios.settings.map((s) => (
                  <tr key={s.setting} data-setting={s.setting}>
                    <td className="py-1 pr-3 font-mono text-xs">{s.setting}</td>
                    <td className="py-1 pr-3 text-xs"><Normalised value={s.value} /></td>
                    <td className="py-1 pr-3 font-mono text-xs break-all">{s.rawName}</td>
                    <td className="py-1 pr-3 font-mono text-xs break-all">{raw(s.rawValue)}</td>
                    <td className="py-1 text-xs">{s.pending ? <span className="text-amber-700 dark:text-amber-400"><Normalised value={s.pending.value} /> <Mono>({raw(s.pending.rawValue)})</Mono></span> : <Muted>—</Muted>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <CollectorWarnings warnings={bios.warnings} />
    </div>
  );
}
