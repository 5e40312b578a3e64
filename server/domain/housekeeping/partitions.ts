/**
 * Time partitions of the time-series tables, pure: which partition a timestamp falls in, what the
 * housekeeping task must create ahead and which partitions are past retention.
 *
 * Partitions are UTC-aligned ranges [from, to): a day, or an ISO week (Monday 00:00 UTC). Their names are
 * `<Table>_pYYYYMMDD` (the lower bound), next to one `<Table>_default` that catches anything else, so an
 * insert never fails. A partition is dropped only when all of it is past retention: its upper bound is at or
 * before `now − retention`. Rows younger than the retention are therefore always kept, and rows older stay
 * at most one partition width longer.
 */

export type PartitionStep = "day" | "week";
export type RetentionClass = "latency" | "qos" | "history";

export interface PartitionedTable {
  table: string;
  /** the partition key column */
  column: string;
}

/**
 * Tables partitioned together, with the same ranges: referenced tables first. LatencyThread's foreign key to
 * LatencyRun includes the partition key, so a thread partition always has its run partition beside it.
 */
export interface PartitionFamily {
  name: string;
  step: PartitionStep;
  retention: RetentionClass;
  tables: readonly PartitionedTable[];
  /**
   * Columns whose latest row must survive retention (HostSectionHistory: each section's current version
   * is what the next change is diffed against). Such rows are carried into the DEFAULT partition.
   */
  keepLatestPer?: readonly string[];
}

export const PARTITION_FAMILIES: readonly PartitionFamily[] = [
  {
    name: "latency",
    step: "day",
    retention: "latency",
    tables: [
      { table: "LatencyRun", column: "startedAt" },
      { table: "LatencyThread", column: "runStartedAt" },
    ],
  },
  { name: "qos", step: "day", retention: "qos", tables: [{ table: "QosSample", column: "at" }] },
  { name: "drift", step: "week", retention: "history", tables: [{ table: "DriftEvent", column: "at" }] },
  {
    name: "section-history",
    step: "week",
    retention: "history",
    tables: [{ table: "HostSectionHistory", column: "changedAt" }],
    keepLatestPer: ["hostId", "section"],
  },
];

/** How far ahead partitions are created: a week of day partitions, four week partitions. */
export const AHEAD: Record<PartitionStep, number> = { day: 7, week: 4 };

const DAY_MS = 86_400_000;

export interface PartitionRange {
  from: Date;
  to: Date;
}

/** The partition range holding instant `t`. */
export function partitionRangeOf(t: Date, step: PartitionStep): PartitionRange {
  const dayStart = Math.floor(t.getTime() / DAY_MS) * DAY_MS;
  if (step === "day") return { from: new Date(dayStart), to: new Date(dayStart + DAY_MS) };
  // 1970-01-01 was a Thursday: days since the epoch + 3 is days since a Monday
  const daysSinceMonday = (Math.floor(dayStart / DAY_MS) + 3) % 7;
  const from = dayStart - daysSinceMonday * DAY_MS;
  return { from: new Date(from), to: new Date(from + 7 * DAY_MS) };
}

/** The ranges that must exist at `now`: the current one and `ahead` more. */
export function rangesAhead(now: Date, step: PartitionStep, ahead: number = AHEAD[step]): PartitionRange[] {
  const out: PartitionRange[] = [];
  let r = partitionRangeOf(now, step);
  for (let i = 0; i <= ahead; i++) {
    out.push(r);
    r = partitionRangeOf(r.to, step);
  }
  return out;
}

/** Rows strictly before this instant are past retention. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** A partition may be dropped when every row it can hold is past retention. */
export function isExpired(range: PartitionRange, now: Date, retentionDays: number): boolean {
  return range.to.getTime() <= retentionCutoff(now, retentionDays).getTime();
}

function yyyymmdd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, "");
}

export function partitionName(table: string, from: Date): string {
  return `${table}_p${yyyymmdd(from)}`;
}

export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/** The lower bound a partition's name encodes, or null when the name is not one of ours. */
export function parsePartitionName(table: string, name: string): Date | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || yyyymmdd(d) !== `${m[1]}${m[2]}${m[3]}` ? null : d;
}

export interface RetentionDays {
  latency: number;
  qos: number;
  history: number;
}

export interface FamilyPlan {
  family: PartitionFamily;
  create: PartitionRange[];
  drop: PartitionRange[];
  cutoff: Date;
}

/**
 * What one housekeeping run does to a family, given the lower bounds of the partitions that exist (read
 * from its first table): create the missing current/ahead ranges, drop the expired ones.
 */
export function planFamily(family: PartitionFamily, existingFrom: readonly Date[], now: Date, retention: RetentionDays): FamilyPlan {
  const days = retention[family.retention];
  const have = new Set(existingFrom.map((d) => d.getTime()));
  const create = rangesAhead(now, family.step).filter((r) => !have.has(r.from.getTime()) && !isExpired(r, now, days));
  const drop = existingFrom
    .map((from) => partitionRangeOf(from, family.step))
    .filter((r) => isExpired(r, now, days))
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  return { family, create, drop, cutoff: retentionCutoff(now, days) };
}
