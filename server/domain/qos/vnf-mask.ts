/**
 * Validation of a cache-way mask proposed for a VNF's class of service, before the tune.cat job runs
 * (pure). The mask's own rules are tune.cat's (server/domain/tuning/cat-mask.ts: within cbm_mask, at least
 * min_cbm_bits, contiguous unless sparse masks are allowed); on top, what the grid shows: overlap with
 * the other classes' masks (an exclusive class refuses it) and with shareable bits (I/O, DDIO).
 */
import type { ResctrlSection } from "@/server/contract/sections/resctrl";
import { cbmProblem, parseHexMask } from "@/server/domain/tuning/cat-mask";

export interface VnfMaskFinding {
  severity: "error" | "warning";
  message: string;
}

/** `vnfClass`: the class the mask is for (its own current mask is no overlap); `resource`: "L3" (both CDP rows on CDP). */
export function validateVnfMask(section: ResctrlSection, vnfClass: string, mask: string, sparseAllowed = false): VnfMaskFinding[] {
  const info = section.info;
  const cache = info?.l3 ?? info?.l3Data ?? null;
  if (!cache?.cbmMask) return [{ severity: "error", message: "no L3 cache allocation on this host (info/L3/cbm_mask missing)" }];
  const problem = cbmProblem(mask, { cbmMask: cache.cbmMask, minCbmBits: cache.minCbmBits ?? 1, sparseAllowed });
  if (problem) return [{ severity: "error", message: problem }];
  const m = parseHexMask(mask) ?? 0n;
  const out: VnfMaskFinding[] = [];
  const shareable = parseHexMask(cache.shareableBits ?? "0") ?? 0n;
  if ((m & shareable) !== 0n) out.push({ severity: "warning", message: `ways ${(m & shareable).toString(16)} are shareable (info/L3/shareable_bits ${cache.shareableBits}): I/O or other agents also fill them` });
  for (const g of section.controlGroups) {
    if (g.path === vnfClass) continue;
    for (const line of g.schemata) {
      if (!/^L3(CODE|DATA)?$/.test(line.resource)) continue;
      for (const d of line.domains) {
        const overlap = m & (parseHexMask(d.value) ?? 0n);
        if (overlap === 0n) continue;
        out.push({
          severity: g.mode === "exclusive" ? "error" : "warning",
          message: `overlaps ${g.path === "/" ? "the default class" : `class ${g.path}`} (${line.resource} domain ${d.id} = ${d.value}) on ways ${overlap.toString(16)}${g.mode === "exclusive" ? ": that class is exclusive, the kernel refuses the write" : ""}`,
        });
      }
    }
  }
  return out;
}
