import { performance } from "node:perf_hooks";
import type { HostFs } from "@/agent/hostfs";
import { SECTION_COLLECTORS, type SectionCollector } from "@/agent/collectors/registry";
import { sectionsSchema, type ReportSections, type SectionName } from "@/server/contract/report";
import { contentHash, hasVolatileKeys, sectionHash } from "@/server/contract/canonical";
import { cleanStrings, cleanText, clipText } from "@/agent/report/clean-text";

export const AGENT_VERSION = "0.1.0";

type Envelope = { ok: boolean; available: boolean; error?: string; durationMs: number; hash: string; data: unknown };

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return clipText(cleanText(text), 4000);
}

/** Per section, the content hash of the last data that passed its schema (one entry per section). */
const validatedHash = new Map<SectionName, string>();
/** the envelope schema's bound on durationMs */
const MAX_DURATION_MS = 3_600_000;

/** Run one collector; never throws. Its data is checked against the contract schema of its section. */
export async function collectSection(fs: HostFs, collector: SectionCollector): Promise<Envelope> {
  const started = performance.now();
  let envelope: Envelope;
  try {
    // every string a collector produced (file text, dmidecode output, Redfish JSON) is cleaned here, before hashing
    const data = cleanStrings(await collector.read(fs));
    const durationMs = roundMs(performance.now() - started);
    envelope = data === null || data === undefined
      ? { ok: true, available: false, durationMs, hash: contentHash(null), data: null }
      : { ok: true, available: true, durationMs, hash: sectionHash(collector.name, data), data };
  } catch (err) {
    const durationMs = roundMs(performance.now() - started);
    return { ok: false, available: true, error: errorText(err), durationMs, hash: contentHash(null), data: null };
  }
  // Same section, same full content hash as the last envelope that passed: it passes again (this hash
  // covers every byte of `data`, volatile counters included; the other fields are built above). Skips
  // zod in the daemon's hot loop, where most sections are unchanged from one heartbeat to the next.
  const fullHash = !envelope.available ? null : hasVolatileKeys(collector.name) ? contentHash(envelope.data) : envelope.hash;
  if (fullHash !== null && validatedHash.get(collector.name) === fullHash && envelope.durationMs <= MAX_DURATION_MS) return envelope;
  const schema = sectionsSchema.shape[collector.name];
  const checked = schema.safeParse(envelope);
  if (!checked.success) {
    const issues = checked.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
    return { ok: false, available: true, error: errorText(`section ${collector.name} failed its schema: ${issues}`), durationMs: envelope.durationMs, hash: contentHash(null), data: null };
  }
  if (fullHash !== null) validatedHash.set(collector.name, fullHash);
  return envelope;
}

function roundMs(ms: number): number {
  return Math.max(0, Math.round(ms * 1000) / 1000);
}

/** Run every collector (sequentially: the agent must stay light) and return all sections. Never throws. */
export async function collectSections(
  fs: HostFs,
  collectors: readonly SectionCollector[] = SECTION_COLLECTORS,
): Promise<ReportSections> {
  const sections: Partial<Record<SectionName, Envelope>> = {};
  for (const collector of collectors) sections[collector.name] = await collectSection(fs, collector);
  return sections as ReportSections;
}

export interface LocalReport {
  collectedAt: string;
  agentVersion: string;
  hostname: string;
  sections: ReportSections;
}

/** Host name as the tree says (proc/sys/kernel/hostname), so fixture reports are stable. */
export async function readHostname(fs: HostFs): Promise<string> {
  const text = (await fs.readTextOptional("proc/sys/kernel/hostname")) ?? (await fs.readTextOptional("etc/hostname"));
  const name = text?.trim().split(/\s+/)[0] ?? "";
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(name) ? name : "unknown";
}

/** The report `once` prints: what delivery wraps with hostId/sequence/idempotency key before sending. */
export async function buildLocalReport(
  fs: HostFs,
  options: { now?: Date; collectors?: readonly SectionCollector[] } = {},
): Promise<LocalReport> {
  const collectedAt = (options.now ?? new Date()).toISOString();
  const sections = await collectSections(fs, options.collectors ?? SECTION_COLLECTORS);
  return { collectedAt, agentVersion: AGENT_VERSION, hostname: await readHostname(fs), sections };
}
