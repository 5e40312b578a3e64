/**
 * The one report write path: the agent API (agent.report) and every seeder (e2e, demo through the API) store
 * a report here. Heartbeat-only reports go through the group-commit batcher, full reports through one
 * statement (server/repo/reports.ts); both dedupe resends by the host's sequence (server/repo/report-log.ts)
 * and keep Host.lastSequence monotonic. A changed snapshot is evaluated for compliance at once.
 */
import { acceptedSectionText } from "@/server/contract/accepted-sections";
import { sectionHashAndJson } from "@/server/contract/canonical";
import { agentScheduleOf } from "@/server/contract/latency-schedule";
import { SECTION_NAMES, type ReportInput, type ReportOutput, type SectionName } from "@/server/contract/report";
import { DomainError } from "@/server/errors";
import { HeartbeatBatcher } from "@/server/repo/heartbeat-batcher";
import { insertReport, type VerifiedSection } from "@/server/repo/reports";
import { afterSnapshotChange } from "@/server/services/compliance/record-snapshot-change";

const batcher = new HeartbeatBatcher();

function isHeartbeatOnly(input: ReportInput): boolean {
  return Object.keys(input.sections).length === 0 && input.latencyRuns.length === 0 && input.qosSamples.length === 0;
}

/**
 * The server recomputes each section's hash; a mismatch refuses the whole report (nothing stored). The JSON
 * text serialised for the hash (or for recognising the section) is what gets stored: jsonb keeps no key order.
 */
function verifiedSections(input: ReportInput): Map<SectionName, VerifiedSection> {
  const verified = new Map<SectionName, VerifiedSection>();
  for (const name of SECTION_NAMES) {
    const section = input.sections[name];
    if (!section) continue;
    // a section the contract recognised (server/contract/accepted-sections.ts) comes with its text and hash
    const got = acceptedSectionText(section.data) ?? sectionHashAndJson(name, section.data);
    if (got.hash !== section.hash) throw new DomainError("INVALID", `sections.${name}.hash does not match the section's content`);
    verified.set(name, got);
  }
  return verified;
}

/**
 * Stores one report for `hostId` (the host its token belongs to) and returns the agent's current config.
 * Idempotent by (host, idempotencyKey). `receivedAt` back-dates a full report (seeders); heartbeats are "now".
 */
export async function storeReport(opts: { hostId: string; input: ReportInput; receivedAt?: Date }): Promise<ReportOutput> {
  const { hostId, input } = opts;
  if (input.hostId !== hostId) throw new DomainError("FORBIDDEN", "this host token may only report for its own host id");
  if (isHeartbeatOnly(input) && !opts.receivedAt) {
    const { duplicate, config } = await batcher.submit({
      hostId,
      idempotencyKey: input.idempotencyKey,
      sequence: input.sequence,
      collectedAt: new Date(input.collectedAt),
      agentVersion: input.agentVersion,
      hostname: input.hostname,
      spoolDropped: input.heartbeat?.spoolDropped ?? null,
      rejected: input.heartbeat?.rejected ?? null,
      setAside: input.heartbeat?.setAside ?? null,
    });
    if (!config) throw new DomainError("NOT_FOUND", "host not found");
    return { stored: !duplicate, duplicate, sectionsChanged: [], config: { heartbeatSeconds: config.heartbeatSeconds, latencySchedule: agentScheduleOf(config.schedule) } };
  }
  // One statement (no interactive transaction): report log row, sections, history, host, QoS, and the agent's config.
  const { config, firstVersions, ...stored } = await insertReport({ hostId, input, hashes: verifiedSections(input), receivedAt: opts.receivedAt ?? new Date() });
  if (stored.sectionsChanged.length > 0) {
    // the report's sections were validated at the edge and their hashes verified above: compliance evaluates
    // from them (while they are still the stored version) instead of reading them back and parsing them again
    const known: Partial<Record<SectionName, { hash: string; data: unknown }>> = {};
    for (const name of SECTION_NAMES) {
      const section = input.sections[name];
      if (section) known[name] = { hash: section.hash, data: section.data };
    }
    await afterSnapshotChange(hostId, stored.sectionsChanged, { sections: firstVersions, changedAt: new Date(input.collectedAt) }, known);
  }
  return { ...stored, config: { heartbeatSeconds: config?.heartbeatSeconds ?? 10, latencySchedule: agentScheduleOf(config?.schedule) } };
}
