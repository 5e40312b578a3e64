/** Compliance profiles: queries only (rules are stored as JSON and parsed back with the domain's parser). */
import { pgPool, prisma } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";
import { DomainError } from "@/server/errors";
import { parseStoredRules, type ProfileModel, type RuleConfig } from "@/server/domain/compliance/profile";

export type Db = Prisma.TransactionClient | ReturnType<typeof prisma>;

type ProfileRow = Prisma.ProfileGetPayload<Record<string, never>>;

export type StoredProfile = ProfileModel & { updatedAt: Date; createdAt: Date; droppedRules: string[] };

function toModel(row: ProfileRow): StoredProfile {
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

/** The profile, or NOT_FOUND. */
export async function findProfile(id: string, db: Db = prisma()): Promise<StoredProfile> {
  const row = await db.profile.findUnique({ where: { id } });
  if (!row) throw new DomainError("NOT_FOUND", `no profile "${id}"`);
  return toModel(row);
}

/**
 * Every profile (a handful of rows) in one plain-pg query, for an evaluation batch: the ids resolution
 * checks against, and a profile's model (rules parsed) on first ask.
 */
export async function profilesForEvaluation(): Promise<{ ids: Set<string>; get: (id: string) => StoredProfile | undefined }> {
  const { rows } = await pgPool().query<ProfileRow>(
    `select id, name, description, "builtIn", kind, "basedOnId", rules, "sloMaxUs", "sloP99999Us",
      "createdAt" at time zone 'UTC' as "createdAt", "updatedAt" at time zone 'UTC' as "updatedAt" from "Profile"`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const models = new Map<string, StoredProfile>();
  return {
    ids: new Set(byId.keys()),
    get: (id) => {
      const row = byId.get(id);
      if (!row) return undefined;
      let model = models.get(id);
      if (!model) models.set(id, (model = toModel(row)));
      return model;
    },
  };
}

/** Several profiles by id in one query (ids that do not exist are absent). */
export async function findProfiles(ids: readonly string[], db: Db = prisma()): Promise<Map<string, StoredProfile>> {
  if (ids.length === 0) return new Map();
  const rows = await db.profile.findMany({ where: { id: { in: [...new Set(ids)] } } });
  return new Map(rows.map((r) => [r.id, toModel(r)]));
}

export async function listProfilesWithUsage(): Promise<(StoredProfile & { hostCount: number; labels: string[] })[]> {
  const rows = await prisma().profile.findMany({
    orderBy: [{ builtIn: "desc" }, { name: "asc" }],
    include: { _count: { select: { hosts: true } }, labelAssigns: { select: { label: true } } },
  });
  return rows.map((r) => ({ ...toModel(r), hostCount: r._count.hosts, labels: r.labelAssigns.map((l) => l.label).sort() }));
}

export async function findProfileWithUsage(id: string): Promise<StoredProfile & { labels: string[]; hosts: { id: string; hostname: string }[] }> {
  const row = await prisma().profile.findUnique({
    where: { id },
    include: { labelAssigns: { select: { label: true } }, hosts: { select: { id: true, hostname: true }, orderBy: { hostname: "asc" }, take: 500 } },
  });
  if (!row) throw new DomainError("NOT_FOUND", `no profile "${id}"`);
  return { ...toModel(row), labels: row.labelAssigns.map((l) => l.label).sort(), hosts: row.hosts };
}

export async function profileNameTaken(name: string, exceptId: string | null, db: Db = prisma()): Promise<boolean> {
  const taken = await db.profile.findFirst({ where: { name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  return taken !== null;
}

export async function listProfileIds(db: Db = prisma()): Promise<Set<string>> {
  return new Set((await db.profile.findMany({ select: { id: true } })).map((p) => p.id));
}

export async function profileNames(ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  return new Map((await prisma().profile.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
}

/** SLO columns of every profile (a handful of rows), for resolving many hosts at once. */
export async function listProfileSlos(): Promise<Map<string, { sloMaxUs: number | null; sloP99999Us: number | null }>> {
  const rows = await prisma().profile.findMany({ select: { id: true, sloMaxUs: true, sloP99999Us: true } });
  return new Map(rows.map((r) => [r.id, { sloMaxUs: r.sloMaxUs, sloP99999Us: r.sloP99999Us }]));
}

type ProfileData = Omit<ProfileModel, "id" | "rules"> & { rules: RuleConfig[] };

function columns(p: Partial<ProfileData>): Prisma.ProfileUncheckedUpdateInput {
  return { ...p, rules: p.rules === undefined ? undefined : (p.rules as unknown as Prisma.InputJsonValue) };
}

/** Inserts the row unless the id exists (createMany + skipDuplicates: two starts at once must not race). */
export async function insertProfileIfAbsent(id: string, data: ProfileData, db: Db = prisma()): Promise<void> {
  await db.profile.createMany({ data: [{ id, ...data, rules: data.rules as unknown as Prisma.InputJsonValue }], skipDuplicates: true });
}

export async function insertProfile(id: string, data: ProfileData, db: Db = prisma()): Promise<void> {
  await db.profile.create({ data: { id, ...data, rules: data.rules as unknown as Prisma.InputJsonValue } });
}

export async function updateProfileRow(id: string, data: Partial<ProfileData>, db: Db = prisma()): Promise<void> {
  await db.profile.update({ where: { id }, data: columns(data) });
}

export async function deleteProfileRow(id: string, db: Db = prisma()): Promise<void> {
  await db.profile.delete({ where: { id } });
}
