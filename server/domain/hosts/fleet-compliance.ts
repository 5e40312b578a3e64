import { RULE_SECTIONS, RULE_STATUSES, type RuleSection, type RuleStatus } from "@/server/domain/compliance/types";

/**
 * A host's stored compliance result as the fleet list carries it: score, counts and the worst
 * status per rule section (not the findings: 1,000 rows must stay small).
 */
export type FleetCompliance = {
  score: number;
  pass: number;
  fail: number;
  warn: number;
  na: number;
  sections: Partial<Record<RuleSection, RuleStatus>>;
};

/**
 * The fleet page's compliance filter, one URL value each. `fail-<section>` keeps hosts whose worst
 * status in that section is fail (same meaning as complianceHostWhere({ section, status: "fail" }));
 * "compliant" means evaluated with no fail and no warn; "unevaluated" means no stored result yet.
 */
export const FLEET_COMPLIANCE_FILTERS = [
  "all",
  "any-fail",
  "any-warn",
  "compliant",
  "unevaluated",
  ...RULE_SECTIONS.map((s) => `fail-${s}` as const),
] as const;
export type FleetComplianceFilter = (typeof FLEET_COMPLIANCE_FILTERS)[number];

const SECTION_WORDS: Record<RuleSection, string> = {
  bios: "BIOS",
  kvm: "KVM",
  "kernel-cmdline": "kernel",
  runtime: "runtime",
  isolation: "isolation",
  numa: "NUMA",
  hugepages: "hugepages",
};

/** What the filter select shows for each value. */
export function complianceFilterLabel(filter: FleetComplianceFilter): string {
  switch (filter) {
    case "all":
      return "All";
    case "any-fail":
      return "Any failure";
    case "any-warn":
      return "Any warning";
    case "compliant":
      return "Compliant";
    case "unevaluated":
      return "Not evaluated";
    default:
      return `Failing ${SECTION_WORDS[filter.slice("fail-".length) as RuleSection]} rules`;
  }
}

function sectionOfFilter(filter: FleetComplianceFilter): RuleSection | null {
  if (!filter.startsWith("fail-")) return null;
  const section = filter.slice("fail-".length);
  return (RULE_SECTIONS as readonly string[]).includes(section) ? (section as RuleSection) : null;
}

/** Does a host's result (null = never evaluated) pass the filter? */
export function matchesComplianceFilter(c: FleetCompliance | null, filter: FleetComplianceFilter): boolean {
  if (filter === "all") return true;
  if (filter === "unevaluated") return c === null;
  if (c === null) return false;
  switch (filter) {
    case "any-fail":
      return c.fail > 0;
    case "any-warn":
      return c.warn > 0;
    case "compliant":
      return c.fail === 0 && c.warn === 0;
    default: {
      const section = sectionOfFilter(filter);
      return section !== null && c.sections[section] === "fail";
    }
  }
}

/**
 * Worst status per section from the stored `sections` JSON ({ bios: { status, counts }, … }).
 * Lenient: an unknown section or a malformed entry is left out, never an error for the whole list.
 */
export function sectionStatusesFromJson(json: unknown): Partial<Record<RuleSection, RuleStatus>> {
  const out: Partial<Record<RuleSection, RuleStatus>> = {};
  if (typeof json !== "object" || json === null || Array.isArray(json)) return out;
  const record = json as Record<string, unknown>;
  for (const section of RULE_SECTIONS) {
    const entry = record[section];
    const status = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).status : entry;
    if (typeof status === "string" && (RULE_STATUSES as readonly string[]).includes(status)) out[section] = status as RuleStatus;
  }
  return out;
}

/** Sections whose worst status is fail, in catalogue order (the column's tooltip). */
export function failingSections(c: FleetCompliance): RuleSection[] {
  return RULE_SECTIONS.filter((s) => c.sections[s] === "fail");
}
