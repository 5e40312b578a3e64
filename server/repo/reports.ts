import { pgPool, prisma } from "@/server/db";
import { hasVolatileKeys } from "@/server/contract/canonical";
import { SECTION_NAMES, type ReportInput, type SectionName } from "@/server/contract/report";
import { hostSummaryFromSections } from "@/server/domain/hosts/summary";
import { isDeadlock } from "@/server/repo/db-errors";
import { storeLatencyRunsTx } from "@/server/repo/latency-ingest";
import { reportSlot } from "@/server/repo/report-log";
import { scheduleOfConfigRow, type AgentConfigRow } from "@/server/repo/heartbeat-batcher";
import type { LatencyScheduleInput } from "@/server/contract/latency-schedule";

/** Sections whose identity hash leaves volatile leaves out (server/contract/canonical.ts): equal hash, not equal data. */
const VOLATILE_SECTIONS = SECTION_NAMES.filter((name) => hasVolatileKeys(name));

/** A section's verified identity hash and the canonical JSON text of its data (what is stored). */
export type VerifiedSection = { hash: string; json: string };

export type StoredReport = {
  stored: boolean;
  duplicate: boolean;
  sectionsChanged: SectionName[];
  /** changed sections that had no stored version before this report (nothing to diff against) */
  firstVersions: SectionName[];
  /** the host's agent config, read in the same statement (null: host not found) */
  config: { heartbeatSeconds: number; schedule: LatencyScheduleInput | null } | null;
};

/**
 * Writes one full report for `hostId` (called by server/services/reports/store-report.ts, which has checked
 * the host and the section hashes) in ONE statement, atomic on its own and with no interactive round trips:
 * the report's log row (idempotent by per-host sequence, server/repo/report-log.ts), its sections (a
 * section is rewritten whole only when its content hash or ok changed, else only its latest values), a
 * history row per changed section, the host's summary and counters, and its QoS samples. Nothing but
 * last-seen is written for a resend.
 *
 * Latency runs go first, in their own short transaction: they are idempotent by their own run key, so a
 * failure between the two writes is repaired by the agent's resend (the report row is not stored yet).
 */
export async function insertReport(opts: { hostId: string; input: ReportInput; hashes: ReadonlyMap<SectionName, VerifiedSection>; receivedAt: Date }): Promise<StoredReport> {
  const { hostId, input, receivedAt } = opts;
  if (input.latencyRuns.length > 0) {
    // idempotent by run key, so a deadlock's victim (housekeeping's partition DDL moving DEFAULT rows at the
    // same moment: the demo's first start once failed on it) is simply run again
    for (let attempt = 1; ; attempt++) {
      try {
        await prisma().$transaction((tx) => storeLatencyRunsTx(tx, hostId, input.latencyRuns, input.idempotencyKey), { timeout: 30_000, maxWait: 10_000 });
        break;
      } catch (err) {
        if (attempt >= 4 || !isDeadlock(err)) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt * Math.random()));
      }
    }
  }

  // The sections travel as ONE json parameter (section data spliced in as the canonical JSON text the hash
  // was computed from, so it is serialised once): a jsonb[] array literal cost an escaping pass over every
  // byte here and an array parse in the server.
  // a host this process has no memory of (it restarted, or another process took the host's earlier
  // reports): its stored hashes are read first, so that its unchanged sections need not travel either
  if (!storedHashes.has(hostId) && opts.hashes.size > 0) await loadStoredHashes(hostId);
  const first = await writeReport(hostId, input, opts.hashes, receivedAt, true);
  // another process stored a section version since this one remembered it: send every section's data
  const result = first.missing ? await writeReport(hostId, input, opts.hashes, receivedAt, false) : first;
  if (result.stored) rememberStoredHashes(hostId, opts.hashes);
  return result.report;
}

/**
 * What this process last stored for a host (section → identity hash), so that a report re-sending an
 * unchanged section need not ship its data to PostgreSQL again (≈ 26 KB of json → jsonb per full report).
 * Only a hint: the statement checks it against the stored hash and, when they differ, writes nothing and
 * says so, and the report is written again with every section's data. Bounded (LRU).
 */
const storedHashes = new Map<string, Map<SectionName, string>>();
const MAX_REMEMBERED_HOSTS = 50_000;

function rememberStoredHashes(hostId: string, hashes: ReadonlyMap<SectionName, VerifiedSection>): void {
  const known = storedHashes.get(hostId) ?? new Map<SectionName, string>();
  storedHashes.delete(hostId);
  for (const [name, verified] of hashes) known.set(name, verified.hash);
  storedHashes.set(hostId, known);
  trimStoredHashes();
}

/** A host enrolled by this process has no stored sections: its first report need not look for any. */
export function rememberNoStoredSections(hostId: string): void {
  rememberStoredHashes(hostId, new Map());
}

async function loadStoredHashes(hostId: string): Promise<void> {
  const { rows } = await pgPool().query<{ section: SectionName; hash: string }>({
    name: "stored-section-hashes",
    text: `select section, hash from "HostSection" where "hostId" = $1::uuid`,
    values: [hostId],
  });
  const known = new Map<SectionName, string>(rows.map((r) => [r.section, r.hash]));
  storedHashes.set(hostId, known);
  trimStoredHashes();
}

function trimStoredHashes(): void {
  if (storedHashes.size > MAX_REMEMBERED_HOSTS) {
    const oldest = storedHashes.keys().next();
    if (!oldest.done) storedHashes.delete(oldest.value);
  }
}

async function writeReport(
  hostId: string,
  input: ReportInput,
  hashes: ReadonlyMap<SectionName, VerifiedSection>,
  receivedAt: Date,
  omitKnown: boolean,
): Promise<{ report: StoredReport; stored: boolean; missing: boolean }> {
  const remembered = omitKnown ? storedHashes.get(hostId) : undefined;
  const names: string[] = [];
  const parts: string[] = [];
  for (const name of SECTION_NAMES) {
    const section = input.sections[name];
    const verified = hashes.get(name);
    if (!section || !verified) continue;
    names.push(name);
    // volatile leaves move under an unchanged identity hash: those sections always carry their data
    const omitted = remembered?.get(name) === verified.hash && !VOLATILE_SECTIONS.includes(name);
    const head = JSON.stringify({ section: name, hash: verified.hash, ok: section.ok, available: section.available, error: section.error ?? null, durationMs: section.durationMs, omitted });
    parts.push(omitted ? head : `${head.slice(0, -1)},"data":${verified.json}}`);
  }
  const sectionsJson = `[${parts.join(",")}]`;
  const summary = hostSummaryFromSections(input.sections);
  const hasTopology = "cpuModel" in summary;
  const hasKernel = "kernelRelease" in summary;
  const counter = (v: number | undefined) => (v === undefined ? null : String(v));
  const hb = input.heartbeat;
  const qos = input.qosSamples;
  const big = (v: number | string | null) => (v === null ? null : String(v));

  // ISO instants in, stored as UTC timestamps (the columns are timestamp(3), as Prisma writes them)
  const collectedAt = new Date(input.collectedAt).toISOString();
  const now = receivedAt.toISOString();
  type Row = {
    stored: boolean;
    missing: boolean;
    changed: string[] | null;
    first: string[] | null;
  } & AgentConfigRow;
  const { rows } = await query<Row>`
    with input as (
      -- a JSON null in "data" comes out as SQL NULL: stored as the JSON null it was, as before
      -- an omitted section is one this process stored with this hash: it has no data here (see "missing")
      -- data stays json (text): only what is written below becomes jsonb, so an unchanged section's data is
      -- never parsed into jsonb just to be thrown away
      select t.section, t.hash, t.ok, t.available, t.error, t."durationMs", coalesce(t.omitted, false) as omitted,
        case when coalesce(t.omitted, false) then null else coalesce(t.data, 'null'::json) end as data
      from json_to_recordset(${sectionsJson}::json) as t(section text, hash text, ok boolean, available boolean, error text, "durationMs" float8, omitted boolean, data json)
    ), prev as (
      select s.section, s.hash from "HostSection" s where s."hostId" = ${hostId}::uuid and s.section = any(${names}::text[])
    ), missing as (
      -- an omitted section whose stored hash is not the one the process remembered: nothing is written
      select 1 from input i left join prev p on p.section = i.section where i.omitted and p.hash is distinct from i.hash
    ), changed as (
      select i.section, p.hash is null as first from input i left join prev p on p.section = i.section where p.hash is distinct from i.hash
    ), body as (
      -- the data that is stored (a changed section, or one with volatile leaves), parsed into jsonb once for
      -- the section row and its history row
      select i.section, i.data::jsonb as data from input i left join changed c on c.section = i.section
      where c.section is not null or i.section = any(${VOLATILE_SECTIONS}::text[])
    ), rep as (
      insert into "Report" ("hostId", slot, "idempotencyKey", sequence, "collectedAt", "receivedAt", "sectionsChanged")
      select ${hostId}::uuid, ${reportSlot(input.sequence)}::int, ${input.idempotencyKey}, ${String(input.sequence)}::bigint,
        ${collectedAt}::timestamptz at time zone 'UTC', ${now}::timestamptz at time zone 'UTC',
        coalesce((select array_agg(section) from changed), '{}')
      where not exists (select 1 from missing)
      on conflict ("hostId", slot) do update set "idempotencyKey" = excluded."idempotencyKey",
        sequence = excluded.sequence, "collectedAt" = excluded."collectedAt", "receivedAt" = excluded."receivedAt",
        "sectionsChanged" = excluded."sectionsChanged"
      where "Report".sequence < excluded.sequence
      returning 1
    ), sec as (
      insert into "HostSection" ("hostId", section, hash, ok, available, error, "durationMs", data, "collectedAt", "updatedAt")
      -- data (as jsonb) only where it is stored: a changed section, or one with volatile leaves; an unchanged
      -- one keeps its stored value (SQL NULL here, never written: see the conflict's where)
      select ${hostId}::uuid, i.section, i.hash, i.ok, i.available, i.error, i."durationMs", b.data,
        ${collectedAt}::timestamptz at time zone 'UTC', ${now}::timestamptz at time zone 'UTC'
      from input i left join body b on b.section = i.section where exists (select 1 from rep)
      on conflict ("hostId", section) do update set
        -- the same hash of a section without volatile leaves is the same content: the stored value (and its
        -- TOAST chunks) is kept instead of being compressed and written again
        data = case when "HostSection".hash = excluded.hash and not ("HostSection".section = any(${VOLATILE_SECTIONS}::text[])) then "HostSection".data else coalesce(excluded.data, "HostSection".data) end,
        "durationMs" = excluded."durationMs", "collectedAt" = excluded."collectedAt", "updatedAt" = excluded."updatedAt",
        -- same identity (only volatile counters moved): availability and error stay as they are
        available = case when "HostSection".hash = excluded.hash and "HostSection".ok = excluded.ok then "HostSection".available else excluded.available end,
        error = case when "HostSection".hash = excluded.hash and "HostSection".ok = excluded.ok then "HostSection".error else excluded.error end,
        hash = excluded.hash, ok = excluded.ok
      -- without data (unchanged as of this statement's snapshot) but a concurrent report changed the stored
      -- hash meanwhile: that row is left as the other report wrote it, never given this hash without its data
      where excluded.data is not null or "HostSection".hash = excluded.hash
      returning 1
    ), hist as (
      insert into "HostSectionHistory" ("hostId", section, hash, data, "changedAt")
      select ${hostId}::uuid, c.section, i.hash, b.data, ${collectedAt}::timestamptz at time zone 'UTC'
      from changed c join input i on i.section = c.section join body b on b.section = c.section where exists (select 1 from rep)
      returning 1
    ), qos as (
      insert into "QosSample" ("hostId", at, "group", domain, "llcOccupancyBytes", "mbmTotalBytes", "mbmLocalBytes")
      select ${hostId}::uuid, q.at at time zone 'UTC', q.g, q.d, q.llc, q.mt, q.ml
      from unnest(${qos.map((s) => new Date(s.at).toISOString())}::timestamptz[], ${qos.map((s) => s.group)}::text[], ${qos.map((s) => s.domain)}::text[],
        ${qos.map((s) => big(s.llcOccupancyBytes))}::bigint[], ${qos.map((s) => big(s.mbmTotalBytes))}::bigint[], ${qos.map((s) => big(s.mbmLocalBytes))}::bigint[])
        as q(at, g, d, llc, mt, ml)
      where exists (select 1 from rep)
      returning 1
    ), host as (
      -- a resend only refreshes last-seen; lastSequence is monotonic, as the heartbeat batch writes it
      update "Host" h set "lastSeenAt" = ${now}::timestamptz at time zone 'UTC',
        "lastSequence" = case when r.stored then greatest(h."lastSequence", ${String(input.sequence)}::bigint) else h."lastSequence" end,
        "agentVersion" = case when r.stored then ${input.agentVersion} else h."agentVersion" end,
        hostname = case when r.stored then ${input.hostname} else h.hostname end,
        "cpuModel" = case when r.stored and ${hasTopology}::boolean then ${summary.cpuModel ?? null}::text else h."cpuModel" end,
        "cpuVendor" = case when r.stored and ${hasTopology}::boolean then ${summary.cpuVendor ?? null}::text else h."cpuVendor" end,
        sockets = case when r.stored and ${hasTopology}::boolean then ${summary.sockets ?? null}::int else h.sockets end,
        "numaNodes" = case when r.stored and ${hasTopology}::boolean then ${summary.numaNodes ?? null}::int else h."numaNodes" end,
        cpus = case when r.stored and ${hasTopology}::boolean then ${summary.cpus ?? null}::int else h.cpus end,
        "isVirtual" = case when r.stored and ${hasTopology}::boolean then ${summary.isVirtual ?? null}::boolean else h."isVirtual" end,
        "kernelRelease" = case when r.stored and ${hasKernel}::boolean then ${summary.kernelRelease ?? null}::text else h."kernelRelease" end,
        "agentSpoolDropped" = case when r.stored then coalesce(${counter(hb?.spoolDropped)}::bigint, h."agentSpoolDropped") else h."agentSpoolDropped" end,
        "agentRejected" = case when r.stored then coalesce(${counter(hb?.rejected)}::bigint, h."agentRejected") else h."agentRejected" end,
        "agentSetAside" = case when r.stored then coalesce(${counter(hb?.setAside)}::bigint, h."agentSetAside") else h."agentSetAside" end
      from (select exists (select 1 from rep) as stored) r
      where h.id = ${hostId}::uuid
      returning 1
    )
    select exists (select 1 from rep) as stored, exists (select 1 from missing) as missing,
      (select array_agg(section) from changed) as changed,
      (select array_agg(section) from changed where first) as first,
      (select count(*) from sec) + (select count(*) from hist) + (select count(*) from qos) + (select count(*) from host) as written,
      h."heartbeatSeconds" as hb, s.enabled, s.cpus, s."durationS", s."intervalUs", s.priority, s."histogramSize", s."everyMinutes", s.load
    from (select 1) as one
    left join "Host" h on h.id = ${hostId}::uuid
    left join "LatencySchedule" s on s."hostId" = h.id`;
  const row = rows[0];
  const config = row && row.hb !== null ? { heartbeatSeconds: row.hb, schedule: scheduleOfConfigRow(row) } : null;
  if (row?.missing) return { report: { stored: false, duplicate: false, sectionsChanged: [], firstVersions: [], config }, stored: false, missing: true };
  if (!row?.stored) return { report: { stored: false, duplicate: true, sectionsChanged: [], firstVersions: [], config }, stored: false, missing: false };
  const changedSet = new Set(row.changed ?? []);
  const firstSet = new Set(row.first ?? []);
  const report: StoredReport = {
    stored: true,
    duplicate: false,
    sectionsChanged: SECTION_NAMES.filter((name) => changedSet.has(name)),
    firstVersions: SECTION_NAMES.filter((name) => firstSet.has(name)),
    config,
  };
  return { report, stored: true, missing: false };
}

/**
 * A tagged template → one parameterised statement on the plain pg pool (values are never spliced into the
 * text); its text is the same for every report, so it is a named statement. Run again when PostgreSQL picked it as a deadlock's victim (up to 4 tries): housekeeping's partition
 * DDL moving DEFAULT rows can cross a report at start-up (the bench hit it); the statement is atomic, so a
 * victim wrote nothing and the resend-safe write is simply repeated.
 */
async function query<R extends object>(strings: TemplateStringsArray, ...values: unknown[]) {
  const text = strings.reduce((acc, part, i) => `${acc}$${i}${part}`);
  for (let attempt = 1; ; attempt++) {
    try {
      // named: planned once per pooled connection (planning this CTE cost PostgreSQL ~1.3 ms per report)
      return await pgPool().query<R>({ name: "full-report", text, values });
    } catch (err) {
      if (attempt >= 4 || !isDeadlock(err)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt * Math.random()));
    }
  }
}
