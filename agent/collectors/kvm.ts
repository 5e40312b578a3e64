import type { HostFs } from "@/agent/hostfs";
import type { KvmSection } from "@/server/contract/sections/kvm";
import { compareCodeUnits, parseBoolValue, parseIntValue, Warnings } from "@/agent/collectors/values";

export interface RawKvm {
  kvm: Record<string, string> | null;
  vendorModule: "kvm_intel" | "kvm_amd" | null;
  vendor: Record<string, string>;
}

const PARAM_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Build the kvm section from module parameter texts (pure). */
export function parseKvm(raw: RawKvm): KvmSection {
  const warnings = new Warnings();
  const clean = (params: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(params).sort(([a], [b]) => compareCodeUnits(a, b))) {
      if (PARAM_NAME.test(k)) out[k] = v.trim().slice(0, 256);
    }
    return out;
  };
  const kvm = clean(raw.kvm ?? {});
  const vendor = clean(raw.vendor);
  const bool = (v: string | undefined, what: string) => {
    if (v === undefined) return null;
    const b = parseBoolValue(v);
    if (b === null) warnings.add(`${what}: not Y/N: ${JSON.stringify(v.slice(0, 40))}`);
    return b;
  };
  const int = (v: string | undefined, what: string) => {
    if (v === undefined) return null;
    const n = parseIntValue(v);
    if (n === null) warnings.add(`${what}: not a number: ${JSON.stringify(v.slice(0, 40))}`);
    return n;
  };
  const intel = raw.vendorModule === "kvm_intel";
  const amd = raw.vendorModule === "kvm_amd";
  return {
    vendorModule: raw.vendorModule,
    kvmParams: kvm,
    vendorParams: vendor,
    enableApicv: intel ? bool(vendor.enable_apicv, "kvm_intel.enable_apicv") : amd ? bool(vendor.avic, "kvm_amd.avic") : null,
    preemptionTimer: intel ? bool(vendor.preemption_timer, "kvm_intel.preemption_timer") : null,
    pleGap: intel ? int(vendor.ple_gap, "kvm_intel.ple_gap") : amd ? int(vendor.pause_filter_count, "kvm_amd.pause_filter_count") : null,
    nxHugePages: kvm.nx_huge_pages?.slice(0, 32) ?? null,
    kvmclockPeriodicSync: bool(kvm.kvmclock_periodic_sync, "kvm.kvmclock_periodic_sync"),
    haltPollNs: int(kvm.halt_poll_ns, "kvm.halt_poll_ns"),
    nested: bool(vendor.nested, `${raw.vendorModule ?? "kvm"}.nested`),
    warnings: warnings.items,
  };
}

async function readParams(fs: HostFs, module: string): Promise<Record<string, string> | null> {
  const dir = `sys/module/${module}/parameters`;
  const names = await fs.listDir(dir);
  if (names === null) return null;
  const out: Record<string, string> = {};
  for (const name of names) {
    if (!PARAM_NAME.test(name)) continue;
    // Some parameters are write-only or root-only: skip what cannot be read.
    const text = await fs.readTextOptional(`${dir}/${name}`);
    if (text !== null) out[name] = text;
  }
  return out;
}

export async function readRawKvm(fs: HostFs): Promise<RawKvm> {
  const kvm = await readParams(fs, "kvm");
  const intel = await readParams(fs, "kvm_intel");
  if (intel !== null) return { kvm, vendorModule: "kvm_intel", vendor: intel };
  const amd = await readParams(fs, "kvm_amd");
  if (amd !== null) return { kvm, vendorModule: "kvm_amd", vendor: amd };
  return { kvm, vendorModule: null, vendor: {} };
}

/** KVM section, or null when the kvm module is not loaded (not a KVM host). */
export async function read(fs: HostFs): Promise<KvmSection | null> {
  const raw = await readRawKvm(fs);
  if (raw.kvm === null && raw.vendorModule === null) return null;
  return parseKvm(raw);
}
