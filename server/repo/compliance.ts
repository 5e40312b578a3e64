import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { SECTION_NAMES, type SectionName } from "@/server/contract/report";
import { DomainError } from "@/server/errors";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { resolveProfile, type ProfileResolution } from "@/server/domain/compliance/assignment";
import { builtinProfiles, isBuiltinProfileId } from "@/server/domain/compliance/builtin-profiles";
import { RULE_CATALOGUE, ruleInfo, type RuleInfo } from "@/server/domain/compliance/catalogue";
import { fleetComplianceCsv, type FleetComplianceRow } from "@/server/domain/compliance/csv";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { buildTimeline, diffResults, diffSection, type TimelineEntry } from "@/server/domain/compliance/drift";
import { evaluateProfile, summaryLine } from "@/server/domain/compliance/evaluate";
import { applyRuleEdits, parseStoredRules, type ProfileEdit, type ProfileModel, type RuleConfig } from "@/server/domain/compliance/profile";
import { snapshotFromSections, type StoredSection } from "@/server/domain/compliance/snapshot";
import {
  findingSchema,
  sectionSummarySchema,
  ruleSectionSchema,
  type Evaluation,
  type Finding,
  type RuleSection,
  type SectionSummary,
} from "@/server/domain/compliance/types";

type Db = Prisma.TransactionClient | ReturnType<typeof prisma>;

// ── profiles ────────────────────────────────────────────────────────────────────────────────

/**
 * Insert or refresh the built-in profiles (kvm4nfv-host, kvm4nfv-guest). Idempotent: built-ins are
 * read-only, so their rules are rewritten from the catalogue each time (a new rule reaches them on upgrade).
 */
export async function seedBuiltinProfiles(db: Db = prisma()): Promise<void> {
  for (const p of builtinProfiles()) {
    const data = {
      name: p.name,
      description: p.description,
      builtIn: true,
      kind: p.kind,
      basedOnId: null,
      rules: p.rules as unknown as Prisma.InputJsonValue,
      sloMaxUs: p.sloMaxUs,
      sloP99999Us: p.sloP99999Us,
    };
    const existing = await db.profile.findUnique({ where: { id: p.id }, select: { rules: true, name: true, description: true } });
    // createMany + skipDuplicates: two first reports evaluating at once must not race on the insert.
    if (!existing) await db.profile.createMany({ data: [{ id: p.id, ...data }], skipDuplicates: true });
    else if (JSON.stringify(existing.rules) !== JSON.stringify(p.rules) || existing.name !== p.name || existing.description !== p.description) {
      await db.profile.update({ where: { id: p.id }, data });
    }
  }
}

type ProfileRow = Prisma.ProfileGetPayload<Record<string, never>>;

function toModel(row: ProfileRow): ProfileModel & { updatedAt: Date; createdAt: Date; droppedRules: string[] } {
  const { rules, dropped } = parseStoredRules(row.rules);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    builtIn: row.builtIn,
    kind: row.kind === "guest" ? "guest" : "host",
    basedOnId: row.basedOnId,
    rules,
    sloMaxUs: row.sloMaxUs,
    sloP99999Us: row.sloP99999Us,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    droppedRules: dropped,
  };
}

export type ProfileSummary = {
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  kind: "host" | "guest";
  basedOnId: string | null;
  enabledRules: number;
  totalRules: number;
  hostCount: number;
  labels: string[];
  updatedAt: Date;
};

export async function listProfiles(): Promise<ProfileSummary[]> {
  await seedBuiltinProfiles();
  const rows = await prisma().profile.findMany({
    orderBy: [{ builtIn: "desc" }, { name: "asc" }],
    include: { _count: { select: { hosts: true } }, labelAssigns: { select: { label: true } } },
  });
  return rows.map((r) => {
    const m = toModel(r);
    return {
      id: m.id,
      name: m.name,
      description: m.description,
      builtIn: m.builtIn,
      kind: m.kind,
      basedOnId: m.basedOnId,
      enabledRules: m.rules.filter((x) => x.enabled).length,
      totalRules: m.rules.length,
      hostCount: r._count.hosts,
      labels: r.labelAssigns.map((l) => l.label).sort(),
      updatedAt: m.updatedAt,
    };
  });
}

export type ProfileDetail = ProfileModel & {
  updatedAt: Date;
  labels: string[];
  hosts: { id: string; hostname: string }[];
  /** every catalogue rule, with this profile's configuration when it has one */
  rules: RuleConfig[];
  catalogue: (RuleInfo & { expected: string })[];
};

export async function getProfile(id: string): Promise<ProfileDetail> {
  await seedBuiltinProfiles();
  const row = await prisma().profile.findUnique({
    where: { id },
    include: { labelAssigns: { select: { label: true } }, hosts: { select: { id: true, hostname: true }, orderBy: { hostname: "asc" }, take: 500 } },
  });
  if (!row) throw new DomainError("NOT_FOUND", `no profile "${id}"`);
  const m = toModel(row);
  const cfg = new Map(m.rules.map((r) => [r.ruleId, r]));
  return {
    ...m,
    labels: row.labelAssigns.map((l) => l.label).sort(),
    hosts: row.hosts,
    catalogue: RULE_CATALOGUE.filter((r) => r.kinds.includes(m.kind) || cfg.has(r.id)).map((r) => ({ ...ruleInfo(r), expected: r.expected(cfg.get(r.id)?.params ?? r.defaultParams) })),
  };
}

async function loadProfile(db: Db, id: string) {
  const row = await db.profile.findUnique({ where: { id } });
  if (!row) throw new DomainError("NOT_FOUND", `no profile "${id}"`);
  return toModel(row);
}

/** Copy a profile (built-in or custom) into a new editable one. */
export async function cloneProfile(opts: { sourceId: string; name: string; actor: AuditActor }): Promise<{ id: string }> {
  await seedBuiltinProfiles();
  return prisma().$transaction(async (tx) => {
    const src = await loadProfile(tx, opts.sourceId);
    const taken = await tx.profile.findFirst({ where: { name: opts.name }, select: { id: true } });
    if (taken) throw new DomainError("CONFLICT", `a profile named "${opts.name}" already exists`);
    const id = `custom-${randomUUID()}`;
    await tx.profile.create({
      data: {
        id,
        name: opts.name,
        description: src.description,
        builtIn: false,
        kind: src.kind,
        basedOnId: src.id,
        rules: src.rules as unknown as Prisma.InputJsonValue,
        sloMaxUs: src.sloMaxUs,
        sloP99999Us: src.sloP99999Us,
      },
    });
    await recordAudit(opts.actor, "compliance.profile.clone", "profile", id, { sourceId: src.id, name: opts.name }, tx);
    return { id };
  });
}

/**
 * Edit a custom profile (built-ins are read-only: clone them). Invalid edits are refused whole with
 * every reason; a valid one re-evaluates the hosts the profile applies to.
 */
export async function updateProfile(opts: { id: string; edit: ProfileEdit; actor: AuditActor }): Promise<{ id: string; reevaluated: number }> {
  if (isBuiltinProfileId(opts.id)) throw new DomainError("FORBIDDEN", "built-in profiles are read-only: clone it first");
  await prisma().$transaction(async (tx) => {
    const current = await loadProfile(tx, opts.id);
    if (current.builtIn) throw new DomainError("FORBIDDEN", "built-in profiles are read-only: clone it first");
    let rules = current.rules;
    if (opts.edit.rules) {
      const r = applyRuleEdits(current.rules, opts.edit.rules);
      if (!r.ok) throw new DomainError("INVALID", `profile not saved: ${r.errors.join("; ")}`, { errors: r.errors });
      rules = r.rules;
    }
    if (opts.edit.name !== undefined && opts.edit.name !== current.name) {
      const taken = await tx.profile.findFirst({ where: { name: opts.edit.name, id: { not: opts.id } }, select: { id: true } });
      if (taken) throw new DomainError("CONFLICT", `a profile named "${opts.edit.name}" already exists`);
    }
    await tx.profile.update({
      where: { id: opts.id },
      data: {
        name: opts.edit.name,
        description: opts.edit.description,
        rules: rules as unknown as Prisma.InputJsonValue,
        sloMaxUs: opts.edit.sloMaxUs,
        sloP99999Us: opts.edit.sloP99999Us,
      },
    });
    await recordAudit(opts.actor, "compliance.profile.update", "profile", opts.id, { edit: opts.edit as Record<string, unknown> }, tx);
  });
  const hostIds = await hostsUsingProfile(opts.id);
  await reevaluateHosts(hostIds);
  return { id: opts.id, reevaluated: hostIds.length };
}

/** Delete a custom profile; its hosts and labels fall back to the next rule of precedence. */
export async function deleteProfile(opts: { id: string; actor: AuditActor }): Promise<{ reevaluated: number }> {
  if (isBuiltinProfileId(opts.id)) throw new DomainError("FORBIDDEN", "built-in profiles cannot be deleted");
  const hostIds = await hostsUsingProfile(opts.id);
  await prisma().$transaction(async (tx) => {
    await loadProfile(tx, opts.id);
    await tx.profile.delete({ where: { id: opts.id } });
    await recordAudit(opts.actor, "compliance.profile.delete", "profile", opts.id, {}, tx);
  });
  await reevaluateHosts(hostIds);
  return { reevaluated: hostIds.length };
}

export const assignTargetSchema = z.union([
  z.object({ hostId: z.string().uuid() }).strict(),
  z.object({ label: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9._:/=-]+$/, "a label such as rt-lab or site=lab1") }).strict(),
]);
export type AssignTarget = z.infer<typeof assignTargetSchema>;

/** Assign a profile to one host or to a label (profileId null removes the assignment), then re-evaluate. */
export async function assignProfile(opts: { target: AssignTarget; profileId: string | null; actor: AuditActor }): Promise<{ reevaluated: number }> {
  await seedBuiltinProfiles();
  const db = prisma();
  if (opts.profileId !== null) await loadProfile(db, opts.profileId);
  let hostIds: string[];
  if ("hostId" in opts.target) {
    const hostId = opts.target.hostId;
    await db.$transaction(async (tx) => {
      const host = await tx.host.findUnique({ where: { id: hostId }, select: { id: true } });
      if (!host) throw new DomainError("NOT_FOUND", "no such host");
      await tx.host.update({ where: { id: hostId }, data: { profileId: opts.profileId } });
      await recordAudit(opts.actor, "compliance.profile.assign", "host", hostId, { profileId: opts.profileId }, tx);
    });
    hostIds = [hostId];
  } else {
    const label = opts.target.label;
    await db.$transaction(async (tx) => {
      if (opts.profileId === null) await tx.profileLabelAssignment.deleteMany({ where: { label } });
      else await tx.profileLabelAssignment.upsert({ where: { label }, create: { label, profileId: opts.profileId }, update: { profileId: opts.profileId } });
      await recordAudit(opts.actor, "compliance.profile.assign", "label", label, { profileId: opts.profileId }, tx);
    });
    hostIds = (await db.host.findMany({ where: { labels: { has: label } }, select: { id: true } })).map((h) => h.id);
  }
  await reevaluateHosts(hostIds);
  return { reevaluated: hostIds.length };
}

/** Hosts whose resolved profile is (or may be) `profileId`: explicit, by label, or by default. */
async function hostsUsingProfile(profileId: string): Promise<string[]> {
  const db = prisma();
  const labels = (await db.profileLabelAssignment.findMany({ where: { profileId }, select: { label: true } })).map((l) => l.label);
  const rows = await db.host.findMany({
    where: { OR: [{ profileId }, ...(labels.length > 0 ? [{ labels: { hasSome: labels } }] : []), { compliance: { profileId } }] },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

async function reevaluateHosts(hostIds: readonly string[]): Promise<void> {
  for (const id of hostIds) await evaluateHost(id);
}

// ── evaluation ──────────────────────────────────────────────────────────────────────────────

const storedFindings = z.array(findingSchema);
const storedSections = z.partialRecord(ruleSectionSchema, sectionSummarySchema);

function parseFindings(json: unknown): Finding[] {
  const r = storedFindings.safeParse(json);
  return r.success ? r.data : [];
}
function parseSections(json: unknown): Partial<Record<RuleSection, SectionSummary>> {
  const r = storedSections.safeParse(json);
  return r.success ? r.data : {};
}

function inputHashOf(sections: { section: string; hash: string; ok: boolean }[], profile: { id: string; rules: RuleConfig[] }): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ s: [...sections].sort((a, b) => a.section.localeCompare(b.section)).map((s) => [s.section, s.hash, s.ok]), p: profile.id, r: profile.rules }));
  return h.digest("hex");
}

export type HostEvaluation = Evaluation & { hostId: string; resolution: ProfileResolution; evaluatedAt: Date; changed: boolean };

/**
 * Evaluate a host against its resolved profile and store the result. When a previous result exists, every
 * rule whose status changed is written as a "compliance" DriftEvent at `at` (so it lines up with the
 * snapshot change that caused it); a profile switch is one more event. Unchanged input → nothing written.
 */
export async function evaluateHost(hostId: string, opts: { at?: Date } = {}): Promise<HostEvaluation> {
  const db = prisma();
  const host = await db.host.findUnique({
    where: { id: hostId },
    select: {
      id: true,
      profileId: true,
      labels: true,
      isVirtual: true,
      sections: { select: { section: true, hash: true, ok: true, available: true, data: true, error: true } },
      compliance: true,
    },
  });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const stored: Partial<Record<SectionName, StoredSection>> = {};
  for (const s of host.sections) if ((SECTION_NAMES as readonly string[]).includes(s.section)) stored[s.section as SectionName] = s;
  const snapshot = snapshotFromSections(stored);

  let profiles = await db.profile.findMany({ select: { id: true } });
  if (!profiles.some((p) => isBuiltinProfileId(p.id))) {
    await seedBuiltinProfiles();
    profiles = await db.profile.findMany({ select: { id: true } });
  }
  const labelRows = host.labels.length > 0 ? await db.profileLabelAssignment.findMany({ where: { label: { in: host.labels } } }) : [];
  const resolution = resolveProfile(
    // The snapshot knows best whether this is a VM; the Host column is a denormalised copy.
    { profileId: host.profileId, labels: host.labels, isVirtual: snapshot.topology?.isVirtual ?? host.isVirtual },
    new Map(labelRows.map((l) => [l.label, l.profileId])),
    new Set(profiles.map((p) => p.id)),
  );
  const profile = await loadProfile(db, resolution.profileId);
  const inputHash = inputHashOf(host.sections, profile);
  const at = opts.at ?? new Date();
  const prev = host.compliance;
  if (prev && prev.inputHash === inputHash) {
    return {
      hostId,
      resolution,
      evaluatedAt: prev.evaluatedAt,
      changed: false,
      profileId: prev.profileId,
      score: prev.score,
      counts: { pass: prev.pass, fail: prev.fail, warn: prev.warn, na: prev.na },
      sections: parseSections(prev.sections),
      findings: parseFindings(prev.findings),
    };
  }
  const evaluation = evaluateProfile(snapshot, profile);
  const row = {
    profileId: evaluation.profileId,
    evaluatedAt: at,
    score: evaluation.score,
    pass: evaluation.counts.pass,
    fail: evaluation.counts.fail,
    warn: evaluation.counts.warn,
    na: evaluation.counts.na,
    sections: evaluation.sections as Prisma.InputJsonValue,
    findings: evaluation.findings as unknown as Prisma.InputJsonValue,
    inputHash,
  };
  await db.$transaction(async (tx) => {
    await tx.complianceResult.upsert({ where: { hostId }, create: { hostId, ...row }, update: row });
    if (!prev) return;
    const drift: Prisma.DriftEventCreateManyInput[] = [];
    if (prev.profileId !== evaluation.profileId) {
      drift.push({ hostId, at, kind: "compliance", section: "profile", key: "profileId", oldValue: prev.profileId, newValue: evaluation.profileId });
    }
    for (const c of diffResults(parseFindings(prev.findings), evaluation.findings)) {
      drift.push({ hostId, at, kind: "compliance", section: c.section, key: c.ruleId, ruleId: c.ruleId, oldStatus: c.oldStatus, newStatus: c.newStatus });
    }
    if (drift.length > 0) await tx.driftEvent.createMany({ data: drift });
  });
  return { ...evaluation, hostId, resolution, evaluatedAt: at, changed: true };
}

/**
 * After a report changed sections: write key-level snapshot drift for each changed section (against the
 * section's previous version; the first version of a section is not drift), then re-evaluate.
 */
export async function recordSnapshotChange(hostId: string, changed: readonly SectionName[]): Promise<HostEvaluation> {
  const db = prisma();
  let at: Date | undefined;
  const drift: Prisma.DriftEventCreateManyInput[] = [];
  for (const section of changed) {
    const [cur, prev] = await db.hostSectionHistory.findMany({
      where: { hostId, section },
      orderBy: [{ changedAt: "desc" }, { id: "desc" }],
      take: 2,
      select: { data: true, changedAt: true },
    });
    if (!cur) continue;
    if (!at || cur.changedAt > at) at = cur.changedAt;
    if (!prev) continue;
    for (const c of diffSection(section, prev.data, cur.data)) {
      drift.push({ hostId, at: cur.changedAt, kind: "snapshot", section, key: c.key, oldValue: c.oldValue, newValue: c.newValue });
    }
  }
  // One instant for the whole report, so the timeline shows cause and effect on one line.
  if (at) for (const d of drift) d.at = at;
  if (drift.length > 0) await db.driftEvent.createMany({ data: drift });
  return evaluateHost(hostId, { at });
}

// ── reads ───────────────────────────────────────────────────────────────────────────────────

export type HostCompliance = {
  hostId: string;
  hostname: string;
  resolution: ProfileResolution;
  profileName: string;
  result: {
    profileId: string;
    evaluatedAt: Date;
    score: number;
    counts: { pass: number; fail: number; warn: number; na: number };
    summary: string;
    sections: Partial<Record<RuleSection, SectionSummary>>;
    findings: Finding[];
  } | null;
};

/** A host's stored result (evaluated now if it has none yet). */
export async function getHostCompliance(hostId: string): Promise<HostCompliance> {
  const db = prisma();
  const host = await db.host.findUnique({ where: { id: hostId }, select: { id: true, hostname: true, compliance: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const ev = await evaluateHost(hostId);
  const profile = await db.profile.findUnique({ where: { id: ev.resolution.profileId }, select: { name: true } });
  return {
    hostId,
    hostname: host.hostname,
    resolution: ev.resolution,
    profileName: profile?.name ?? ev.resolution.profileId,
    result: {
      profileId: ev.profileId,
      evaluatedAt: ev.evaluatedAt,
      score: ev.score,
      counts: ev.counts,
      summary: summaryLine(ev),
      sections: ev.sections,
      findings: ev.findings,
    },
  };
}

/**
 * A Prisma `where` for hosts by compliance, for the fleet list (server/repo/hosts.ts may spread it into its
 * own query): e.g. { section: "kernel-cmdline", status: "fail" } = "failing kernel rules".
 */
export function complianceHostWhere(filter: FleetFilter): Prisma.HostWhereInput {
  const where: Prisma.HostWhereInput = {};
  const result: Prisma.ComplianceResultWhereInput = {};
  if (filter.section) result.sections = { path: [filter.section, "status"], equals: filter.status ?? "fail" };
  else if (filter.status === "fail") result.fail = { gt: 0 };
  else if (filter.status === "warn") result.warn = { gt: 0 };
  else if (filter.status === "pass") {
    result.fail = 0;
    result.warn = 0;
  }
  if (filter.profileId) result.profileId = filter.profileId;
  if (Object.keys(result).length > 0) where.compliance = result;
  if (filter.search) where.hostname = { contains: filter.search, mode: "insensitive" };
  return where;
}

/** Evaluate hosts that have reported but have no stored result yet (e.g. reported before a restart). */
export async function evaluateHostsWithoutResult(limit = 200): Promise<number> {
  const rows = await prisma().host.findMany({ where: { compliance: null, sections: { some: {} } }, select: { id: true }, take: limit });
  await reevaluateHosts(rows.map((r) => r.id));
  return rows.length;
}

/** Compliance per host for the fleet matrix (and its CSV), hosts without a result included. */
export async function listFleetCompliance(filter: FleetFilter = {}): Promise<FleetComplianceRow[]> {
  await evaluateHostsWithoutResult();
  const rows = await prisma().host.findMany({
    where: complianceHostWhere(filter),
    select: { id: true, hostname: true, labels: true, compliance: true },
    orderBy: [{ hostname: "asc" }, { id: "asc" }],
  });
  return rows.map((h) => ({
    hostId: h.id,
    hostname: h.hostname,
    labels: h.labels,
    profileId: h.compliance?.profileId ?? null,
    evaluatedAt: h.compliance?.evaluatedAt ?? null,
    score: h.compliance?.score ?? null,
    counts: h.compliance ? { pass: h.compliance.pass, fail: h.compliance.fail, warn: h.compliance.warn, na: h.compliance.na } : null,
    sections: h.compliance ? parseSections(h.compliance.sections) : {},
  }));
}

export async function exportFleetComplianceCsv(filter: FleetFilter = {}): Promise<{ filename: string; csv: string; rows: number }> {
  const rows = await listFleetCompliance(filter);
  return { filename: `nfvdeck-compliance-${new Date().toISOString().slice(0, 10)}.csv`, csv: fleetComplianceCsv(rows), rows: rows.length };
}

export type DriftHistory = { hostId: string; entries: (TimelineEntry & { rows: { kind: string; section: string; key: string; oldValue: string | null; newValue: string | null; ruleId: string | null; oldStatus: string | null; newStatus: string | null }[] })[] };

/** The host's drift timeline, newest first (at most `limit` raw rows are read). */
export async function getDriftHistory(hostId: string, opts: { limit: number; before?: Date }): Promise<DriftHistory> {
  const db = prisma();
  const host = await db.host.findUnique({ where: { id: hostId }, select: { id: true } });
  if (!host) throw new DomainError("NOT_FOUND", "no such host");
  const rows = await db.driftEvent.findMany({
    where: { hostId, ...(opts.before ? { at: { lt: opts.before } } : {}) },
    orderBy: [{ at: "desc" }, { id: "asc" }],
    take: opts.limit,
  });
  // Profile switches read better by name than by id ("custom-…").
  const profileIds = [...new Set(rows.filter((r) => r.section === "profile").flatMap((r) => [r.oldValue, r.newValue]).filter((v): v is string => v !== null))];
  if (profileIds.length > 0) {
    const names = new Map((await db.profile.findMany({ where: { id: { in: profileIds } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
    for (const r of rows) {
      if (r.section !== "profile") continue;
      r.oldValue = r.oldValue === null ? null : (names.get(r.oldValue) ?? r.oldValue);
      r.newValue = r.newValue === null ? null : (names.get(r.newValue) ?? r.newValue);
    }
  }
  const byAt = new Map<number, typeof rows>();
  for (const r of rows) byAt.set(r.at.getTime(), [...(byAt.get(r.at.getTime()) ?? []), r]);
  const entries = buildTimeline(rows).map((e) => ({
    ...e,
    rows: (byAt.get(e.at.getTime()) ?? []).map((r) => ({ kind: r.kind, section: r.section, key: r.key, oldValue: r.oldValue, newValue: r.newValue, ruleId: r.ruleId, oldStatus: r.oldStatus, newStatus: r.newStatus })),
  }));
  return { hostId, entries };
}

