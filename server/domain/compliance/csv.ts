import type { FleetComplianceRow } from "@/server/contract/api/compliance";
import { RULE_SECTIONS } from "@/server/domain/compliance/types";

/** One row of the fleet compliance table, declared once as zod in the API contract. */
export type { FleetComplianceRow };

/** One CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let t = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** The fleet compliance matrix as CSV (RFC 4180, CRLF line ends): one row per host, one column per rule section. */
export function fleetComplianceCsv(rows: readonly FleetComplianceRow[]): string {
  const header = ["host_id", "hostname", "labels", "profile", "evaluated_at", "score", "fail", "warn", "pass", "na", ...RULE_SECTIONS.map((s) => `section_${s.replace(/-/g, "_")}`)];
  const lines = [header.join(",")];
  for (const r of rows) {
    lines.push(
      [
        r.hostId,
        r.hostname,
        r.labels.join(" "),
        r.profileId,
        r.evaluatedAt ? r.evaluatedAt.toISOString() : null,
        r.score,
        r.counts?.fail ?? null,
        r.counts?.warn ?? null,
        r.counts?.pass ?? null,
        r.counts?.na ?? null,
        ...RULE_SECTIONS.map((s) => r.sections[s]?.status ?? null),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
