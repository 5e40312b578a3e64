import { z } from "zod";
import { formatCpuList, tryParseCpuList } from "@/server/domain/cpuset/cpuset";
import type { HostSnapshot } from "@/server/domain/compliance/snapshot";

export type CpuVendor = "intel" | "amd";

/** CPU vendor from /proc/cpuinfo, else from the KVM vendor module; null when unknown. */
export function cpuVendor(s: HostSnapshot): CpuVendor | null {
  const v = s.topology?.vendor ?? null;
  if (v === "GenuineIntel") return "intel";
  if (v === "AuthenticAMD" || v === "HygonGenuine") return "amd";
  if (s.kvm?.vendorModule === "kvm_intel") return "intel";
  if (s.kvm?.vendorModule === "kvm_amd") return "amd";
  return null;
}

/** true: a virtual machine (the `hypervisor` cpu flag); null: no topology reported. */
export function isVirtualMachine(s: HostSnapshot): boolean | null {
  return s.topology ? s.topology.isVirtual : null;
}

/** "11-15,31-35", or "(none)" for the empty set. */
export function cpuText(cpus: readonly number[] | null | undefined): string {
  if (cpus === null || cpus === undefined) return "(absent)";
  return cpus.length === 0 ? "(none)" : formatCpuList(cpus);
}

export function sameCpus(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((c) => set.has(c));
}

/** Kernel size text as used by hugepagesz=/default_hugepagesz= ("1G", "2M", "1048576K", bytes) → kB. */
export function parseSizeKb(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMGT]?)B?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toUpperCase();
  const kb = unit === "K" ? n : unit === "M" ? n * 1024 : unit === "G" ? n * 1024 * 1024 : unit === "T" ? n * 1024 ** 3 : n / 1024;
  return Number.isFinite(kb) && kb > 0 ? kb : null;
}

/** 1048576 → "1G", 2048 → "2M". */
export function formatSizeKb(kb: number): string {
  if (kb % (1024 * 1024) === 0) return `${kb / (1024 * 1024)}G`;
  if (kb % 1024 === 0) return `${kb / 1024}M`;
  return `${kb}K`;
}

/** A profile parameter that is a kernel cpu list ("" allowed only where the schema says so). */
export const cpuListParam = z
  .string()
  .max(8192)
  .refine((t) => tryParseCpuList(t) !== null, { message: "not a cpu list (expected e.g. \"2-5,8\")" });

/** A profile parameter that is a hugepage size such as "1G" or "2M". */
export const sizeParam = z
  .string()
  .max(32)
  .refine((t) => parseSizeKb(t) !== null, { message: "not a size (expected e.g. \"1G\" or \"2M\")" });

/** Cap long evidence lists; the UI shows them itemised. */
export function capItems(items: string[], max = 25): string[] {
  return items.length <= max ? items : [...items.slice(0, max), `… and ${items.length - max} more`];
}
