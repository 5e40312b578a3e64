/**
 * The fleet compliance matrix's server-side filter, search, sort, summary and paging
 * (server/repo/fleet-compliance-page.ts, tRPC compliance.fleetPage) against real PostgreSQL equal a
 * plain in-memory computation over the rows this file seeds: every sort key and direction, every
 * status × section filter, profile, search, page boundaries, a page past the end (clamped to the last
 * page) and page sizes. Ties have a defined order and it is asserted: "host" sorts by (hostname, id)
 * in the chosen direction; "profile", "score" and "fail" (then warn) sort in the chosen direction with
 * hosts without a result last either way, and break ties by hostname then id, ascending.
 *
 * The database is shared with other test files: every query carries this run's tag as its search term
 * or filters by one of this run's profile ids (ComplianceResult.profileId has no foreign key). Host
 * names use only lowercase letters, digits and '-' at fixed positions, where the C, libc and ICU
 * collations agree, so JavaScript's code-unit order is the database's order whatever its locale.
 * Host ids come from the seeded RNG (their order decides ties) with a random tail (unique per run).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_COMPLIANCE_SORTS, type FleetComplianceRow, type FleetCompliancePageInput } from "@/server/contract/api/compliance";
import { disconnectPrisma, prisma } from "@/server/db";
import type { FleetFilter } from "@/server/domain/compliance/fleet-filter";
import { RULE_SECTIONS, type RuleSection, type SectionSummary } from "@/server/domain/compliance/types";
import { fleetComplianceBatches, listFleetCompliancePage } from "@/server/repo/fleet-compliance-page";
import { signedInCaller } from "@/server/test/callers";
import { rng } from "@/server/test/rng";

const tail = randomUUID().replace(/-/g, "").slice(0, 8);
const tag = `fcpage${tail}`;
const PROFILES = [`${tag}-pa`, `${tag}-pb`, `${tag}-pc`] as const;
const HOSTS = 53;
const T0 = Date.parse("2026-10-05T06:00:00.000Z");

type Status = "pass" | "fail" | "warn" | "na";
type Seeded = {
  id: string;
  hostname: string;
  result: null | { profileId: string; evaluatedAt: Date; score: number; pass: number; fail: number; warn: number; na: number; sections: Partial<Record<RuleSection, SectionSummary>> };
};

const seeded: Seeded[] = [];

beforeAll(async () => {
  const rand = rng(4242);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  for (let i = 0; i < HOSTS; i++) {
    // 24 seeded hex digits decide the id order; the run's tail keeps ids unique across runs
    const h = `${hex(12)}4${hex(3)}8${hex(7)}${tail}`;
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    // 5 words × 5 numbers × 2 suffixes for 53 hosts: many equal names, so the id tiebreak is exercised
    const hostname = `${tag}-${pick(["alfa", "brav", "char", "delt", "echo"])}-${pick(["01", "02", "07", "10", "33"])}${pick(["", "", "", "b"])}`;
    let result: Seeded["result"] = null;
    if (rand() < 0.8) {
      const sections: Partial<Record<RuleSection, SectionSummary>> = {};
      for (const s of RULE_SECTIONS) {
        if (rand() < 0.3) continue; // a section the profile did not evaluate
        const st = pick<Status>(["pass", "pass", "fail", "warn", "na"]);
        sections[s] = { status: st, counts: { pass: st === "pass" ? 2 : 1, fail: st === "fail" ? 1 : 0, warn: st === "warn" ? 1 : 0, na: st === "na" ? 3 : 0 } };
      }
      result = {
        profileId: pick(PROFILES),
        evaluatedAt: new Date(T0 + Math.floor(rand() * 86_400) * 1000 + Math.floor(rand() * 1000)),
        score: pick([0, 12.5, 50, 50, 87.5, 100, 100]),
        pass: Math.floor(rand() * 20),
        fail: pick([0, 0, 0, 1, 2, 5]),
        warn: pick([0, 0, 1, 3]),
        na: Math.floor(rand() * 4),
        sections,
      };
    }
    seeded.push({ id, hostname, result });
  }
  await prisma().host.createMany({ data: seeded.map((s) => ({ id: s.id, hostname: s.hostname, tokenHash: `fcpage-test-${s.id}`, labels: [tag] })) });
  await prisma().complianceResult.createMany({
    data: seeded.flatMap((s) => (s.result ? [{ hostId: s.id, ...s.result, findings: [], inputHash: `fcpage-${s.id}` }] : [])),
  });
});

afterAll(async () => {
  await disconnectPrisma();
});

// ── the in-memory model ───────────────────────────────────────────────────────────────────────

function matches(s: Seeded, f: FleetFilter): boolean {
  const r = s.result;
  if (f.section) {
    if (r?.sections[f.section]?.status !== (f.status ?? "fail")) return false;
  } else if (f.status === "fail" && !(r && r.fail > 0)) return false;
  else if (f.status === "warn" && !(r && r.warn > 0)) return false;
  else if (f.status === "pass" && !(r && r.fail === 0 && r.warn === 0)) return false;
  // status "na" without a section filters nothing (as complianceHostWhere)
  if (f.profileId && r?.profileId !== f.profileId) return false;
  if (f.search && !s.hostname.toLowerCase().includes(f.search.toLowerCase())) return false;
  return true;
}

const cmp = <T extends string | number>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);
const byNameId = (a: Seeded, b: Seeded) => cmp(a.hostname, b.hostname) || cmp(a.id, b.id);
/** values ascending or descending by `sign`, a missing value (no result) last in both directions */
function nullsLast<T extends string | number>(a: T | undefined, b: T | undefined, sign: number): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return sign * cmp(a, b);
}

function sorted(rows: Seeded[], sort: FleetCompliancePageInput["sort"], dir: "asc" | "desc"): Seeded[] {
  const sign = dir === "asc" ? 1 : -1;
  const by: Record<typeof sort, (a: Seeded, b: Seeded) => number> = {
    host: (a, b) => sign * byNameId(a, b),
    profile: (a, b) => nullsLast(a.result?.profileId, b.result?.profileId, sign) || byNameId(a, b),
    score: (a, b) => nullsLast(a.result?.score, b.result?.score, sign) || byNameId(a, b),
    fail: (a, b) => nullsLast(a.result?.fail, b.result?.fail, sign) || nullsLast(a.result?.warn, b.result?.warn, sign) || byNameId(a, b),
  };
  return [...rows].sort(by[sort]);
}

function expectedRow(s: Seeded): FleetComplianceRow {
  const r = s.result;
  return {
    hostId: s.id,
    hostname: s.hostname,
    labels: [tag],
    profileId: r?.profileId ?? null,
    evaluatedAt: r?.evaluatedAt ?? null,
    score: r?.score ?? null,
    counts: r ? { pass: r.pass, fail: r.fail, warn: r.warn, na: r.na } : null,
    sections: r?.sections ?? {},
  };
}

function expectedSummary(rows: Seeded[]) {
  const ev = rows.flatMap((s) => (s.result ? [s.result] : []));
  const failing = ev.filter((r) => r.fail > 0).length;
  const warning = ev.filter((r) => r.fail === 0 && r.warn > 0).length;
  return {
    matching: rows.length,
    evaluated: ev.length,
    failing,
    warning,
    clean: ev.filter((r) => r.fail === 0 && r.warn === 0).length,
    failBySection: Object.fromEntries(RULE_SECTIONS.map((sec) => [sec, ev.filter((r) => r.sections[sec]?.status === "fail").length])),
  };
}

function input(f: FleetFilter & Partial<FleetCompliancePageInput>): FleetCompliancePageInput {
  return { sort: "host", dir: "asc", page: 1, pageSize: 100, ...f };
}

/** Every page of `q` (and one past the end) against the model; returns how many rows were compared. */
async function comparePaged(q: FleetCompliancePageInput): Promise<number> {
  const label = JSON.stringify(q);
  const want = sorted(seeded.filter((s) => matches(s, q)), q.sort, q.dir);
  const summary = expectedSummary(want);
  const lastPage = Math.max(1, Math.ceil(want.length / q.pageSize));
  const got: FleetComplianceRow[] = [];
  for (let page = 1; page <= lastPage + 1; page++) {
    const res = await listFleetCompliancePage({ ...q, page });
    expect(res.summary, label).toEqual(summary);
    expect(res.pageSize, label).toBe(q.pageSize);
    // a page past the end gives the last page
    expect(res.page, `${label} page ${page}`).toBe(Math.min(page, lastPage));
    const slice = want.slice((res.page - 1) * q.pageSize, res.page * q.pageSize);
    expect(res.rows.map((r) => r.hostId), `${label} page ${page}`).toEqual(slice.map((s) => s.id));
    if (page <= lastPage) got.push(...res.rows);
  }
  expect(got, label).toEqual(want.map(expectedRow));
  return want.length;
}

describe("fleet compliance page in SQL", () => {
  it("the seed covers what the comparisons need", () => {
    const results = seeded.flatMap((s) => (s.result ? [s.result] : []));
    expect(seeded.length - results.length).toBeGreaterThanOrEqual(3); // hosts never evaluated
    expect(new Set(seeded.map((s) => s.hostname)).size).toBeLessThan(HOSTS - 5); // equal names
    expect(results.some((r) => r.fail > 0)).toBe(true);
    expect(results.some((r) => r.fail === 0 && r.warn > 0)).toBe(true);
    expect(results.some((r) => r.fail === 0 && r.warn === 0)).toBe(true);
    expect(results.some((r) => Object.keys(r.sections).length < RULE_SECTIONS.length)).toBe(true); // sections not evaluated
    for (const p of PROFILES) expect(results.filter((r) => r.profileId === p).length).toBeGreaterThan(1);
    expect(new Set(results.map((r) => r.score)).size).toBeLessThan(results.length); // equal scores
    for (const sec of RULE_SECTIONS) for (const st of ["pass", "fail", "warn"] as const) expect(results.some((r) => r.sections[sec]?.status === st), `${sec} ${st}`).toBe(true);
  });

  it("every sort key and direction, page by page, equals the in-memory sort (ties by hostname, then id)", async () => {
    let compared = 0;
    for (const sort of FLEET_COMPLIANCE_SORTS) {
      for (const dir of ["asc", "desc"] as const) compared += await comparePaged(input({ search: tag, sort, dir, pageSize: 7 }));
    }
    expect(compared).toBe(HOSTS * FLEET_COMPLIANCE_SORTS.length * 2);
  });

  it("every status × section filter, under a rotating sort, equals the in-memory filter and summary", async () => {
    const rand = rng(77);
    let nonEmpty = 0;
    for (const status of [undefined, "fail", "warn", "pass", "na"] as const) {
      for (const section of [undefined, ...RULE_SECTIONS]) {
        const sort = FLEET_COMPLIANCE_SORTS[Math.floor(rand() * FLEET_COMPLIANCE_SORTS.length)]!;
        const dir = rand() < 0.5 ? "asc" : "desc";
        if ((await comparePaged(input({ search: tag, status, section, sort, dir, pageSize: 6 }))) > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(30);
  });

  it("profile filter, alone (this run's profile ids are its own) and with status and search", async () => {
    for (const profileId of PROFILES) {
      const n = await comparePaged(input({ profileId, sort: "score", dir: "desc", pageSize: 5 }));
      expect(n).toBe(seeded.filter((s) => s.result?.profileId === profileId).length);
      await comparePaged(input({ profileId, status: "fail", search: `${tag}-`, sort: "fail", dir: "asc", pageSize: 3 }));
      await comparePaged(input({ profileId, section: "numa", status: "warn", sort: "profile", dir: "desc", pageSize: 2 }));
    }
    expect(await comparePaged(input({ profileId: `${tag}-none` }))).toBe(0);
  });

  it("search: case-insensitive substring, literal (no LIKE wildcards), combined with filters", async () => {
    const searches = [`${tag}-alfa`, `${tag.toUpperCase()}-BRAV-0`, `${tag}-char-10b`, `${tag}-delt-33`, `${tag}_`, `${tag}%`, `${tag}-echo-01x`];
    for (const search of searches) {
      for (const sort of FLEET_COMPLIANCE_SORTS) await comparePaged(input({ search, sort, dir: "desc", pageSize: 4 }));
    }
    // a search that is not the tag, kept to this run by a profile filter
    for (const search of ["-07", "ALFA-0", "2b"]) await comparePaged(input({ search, profileId: PROFILES[1], sort: "host", dir: "asc", pageSize: 3 }));
    expect(seeded.filter((s) => matches(s, { search: `${tag}-alfa` })).length).toBeGreaterThan(0);
    expect(seeded.filter((s) => matches(s, { search: `${tag.toUpperCase()}-BRAV-0` })).length).toBeGreaterThan(0);
  });

  it("page sizes: 1, one short of the total, exactly the total, the maximum; a page far past the end is the last page", async () => {
    for (const pageSize of [1, HOSTS - 1, HOSTS, 500]) await comparePaged(input({ search: tag, sort: "fail", dir: "desc", pageSize }));
    const far = await listFleetCompliancePage(input({ search: tag, sort: "score", dir: "asc", page: 1_000_000, pageSize: 10 }));
    const lastPage = Math.ceil(HOSTS / 10);
    expect(far.page).toBe(lastPage);
    expect(far.rows.map((r) => r.hostId)).toEqual(sorted(seeded, "score", "asc").slice((lastPage - 1) * 10).map((s) => s.id));
    // nothing matches: page 1, no rows, zero summary
    const none = await listFleetCompliancePage(input({ search: `${tag}-zzzz`, page: 3, pageSize: 10 }));
    expect(none).toEqual({ summary: expectedSummary([]), page: 1, pageSize: 10, rows: [] });
  });

  it("through tRPC compliance.fleetPage: the contract's defaults (host, asc, page 1, 100 a page)", async () => {
    const viewer = await signedInCaller("viewer");
    const res = await viewer.compliance.fleetPage({ search: tag.toUpperCase() });
    expect(res.page).toBe(1);
    expect(res.pageSize).toBe(100);
    expect(res.summary).toEqual(expectedSummary(seeded));
    expect(res.rows).toEqual(sorted(seeded, "host", "asc").map(expectedRow));
    await expect(viewer.compliance.fleetPage({ search: tag, pageSize: 501 })).rejects.toThrow();
  });

  it("the CSV export's keyset batches read every matching host once, by (hostname, id), across equal names", async () => {
    for (const f of [{ search: tag }, { search: tag, status: "fail" as const }, { profileId: PROFILES[2] }]) {
      const got: string[] = [];
      for await (const batch of fleetComplianceBatches(f, 4)) got.push(...batch.map((r) => r.hostId));
      expect(got, JSON.stringify(f)).toEqual(sorted(seeded.filter((s) => matches(s, f)), "host", "asc").map((s) => s.id));
    }
  });
});
