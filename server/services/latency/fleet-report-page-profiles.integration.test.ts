/**
 * The fleet latency page judges each host in SQL (server/repo/latency-fleet-page.ts), so the SQL must pick
 * the profile resolveProfile picks: a host's own assignment, else its alphabetically first assigned label,
 * else the built-in default. Each host here measures max 25 µs; only the profile it resolves to decides
 * pass or fail. The SQL verdicts (which hosts the slo filter keeps) are compared with the expected profile and
 * with the whole-fleet report, which resolves in TypeScript. Runs lie in 2032 (no other test writes there).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import type { LatencyRunData } from "@/server/domain/latency/run";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { getFleetReport } from "@/server/services/latency/get-fleet-report";
import { getFleetReportPage } from "@/server/services/latency/get-fleet-report-page";
import { enrolHost } from "@/server/test/callers";

const tag = `latprof${randomUUID().slice(0, 8)}`;
const window = { from: new Date("2032-03-01T00:00:00Z"), to: new Date("2032-03-02T00:00:00Z") };
const LOOSE = `${tag}-loose`; // 30 µs: 25 passes
const TIGHT = `${tag}-tight`; // 10 µs: 25 fails
const LABEL_A = `${tag}-a`; // → LOOSE
const LABEL_B = `${tag}-b`; // → TIGHT

const run: LatencyRunData = {
  startedAt: new Date("2032-03-01T10:00:00Z"),
  durationS: 60,
  toolVersion: "2.40",
  cmdline: null,
  priority: 95,
  intervalUs: 200,
  load: "idle",
  unit: "us",
  histogramSize: 100,
  threads: [{ thread: 0, cpu: 2, cycles: 1010, overflows: 0, min: 22, avg: 22.03, max: 25, histogram: { "22": 1000, "25": 10 } }],
};

/** hostname suffix → how it is assigned, and the verdict its resolved profile gives */
const HOSTS = [
  { name: "own-loose", profileId: LOOSE, labels: [LABEL_B], expect: "pass" }, // host assignment beats the label
  { name: "own-tight", profileId: TIGHT, labels: [LABEL_A], expect: "fail" },
  { name: "labels-ba", profileId: null, labels: [LABEL_B, LABEL_A], expect: "pass" }, // first label alphabetically: a
  { name: "label-b", profileId: null, labels: [LABEL_B], expect: "fail" },
  { name: "unassigned-label", profileId: null, labels: [`${tag}-0`, LABEL_A], expect: "pass" }, // 0 sorts first but has no profile
  { name: "default", profileId: null, labels: [], expect: "fail" }, // built-in host profile: 20 µs
] as const;

beforeAll(async () => {
  for (const [id, slo] of [[LOOSE, 30], [TIGHT, 10]] as const) {
    await prisma().profile.create({ data: { id, name: id, rules: [], sloMaxUs: slo, sloP99999Us: slo } });
  }
  await prisma().profileLabelAssignment.create({ data: { label: LABEL_A, profileId: LOOSE } });
  await prisma().profileLabelAssignment.create({ data: { label: LABEL_B, profileId: TIGHT } });
  for (const h of HOSTS) {
    const { hostId } = await enrolHost(`${tag}-${h.name}`, { note: "latency page profile test" });
    await prisma().host.update({ where: { id: hostId }, data: { profileId: h.profileId, labels: [...h.labels], isVirtual: false } });
    await prisma().$transaction((tx) => storeRunsTx(tx, hostId, [{ run, source: "simulated", idempotencyKey: `${tag}:1` }]));
  }
});

afterAll(async () => {
  await prisma().host.deleteMany({ where: { hostname: { startsWith: `${tag}-` } } });
  await prisma().profileLabelAssignment.deleteMany({ where: { label: { startsWith: `${tag}-` } } });
  await prisma().profile.deleteMany({ where: { id: { in: [LOOSE, TIGHT] } } });
  await disconnectPrisma();
});

describe("the fleet latency page's SQL resolves profiles as resolveProfile does", () => {
  it("host assignment, then the first assigned label, then the default", async () => {
    const byName = (rows: { hostname: string; slo: { status: string } }[]) =>
      rows.map((r) => [r.hostname.slice(tag.length + 1), r.slo.status] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const page = async (slo: "all" | "fail" | "pass") =>
      (await getFleetReportPage({ input: { window, q: tag, slo, sort: "host", dir: "asc", page: 1, pageSize: 50 } })).rows;
    const expected = byName(HOSTS.map((h) => ({ hostname: `${tag}-${h.name}`, slo: { status: h.expect } })));

    // which hosts the slo filter keeps is decided in SQL
    expect(byName(await page("fail"))).toEqual(expected.filter(([, s]) => s === "fail"));
    expect(byName(await page("pass"))).toEqual(expected.filter(([, s]) => s === "pass"));
    expect(byName(await page("all"))).toEqual(expected);
    // the whole-fleet report resolves with resolveProfile in TypeScript: the same verdicts
    const whole = await getFleetReport({ window });
    expect(byName(whole.rows.filter((r) => r.hostname.startsWith(`${tag}-`)))).toEqual(expected);
  });
});
