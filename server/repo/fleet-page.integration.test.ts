/**
 * The fleet page's server-side filter, search, sort and paging (server/repo/fleet-page.ts) against
 * real PostgreSQL give exactly what the browser-side domain functions give over the whole list
 * (applyFleetQuery over listFleetHosts), page by page. Every query carries this run's unique label
 * as a search term, so hosts other test files create at the same time never enter the comparison.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import { applyFleetQuery, FLEET_SORT_KEYS, type FleetQuery } from "@/server/domain/hosts/fleet";
import { FLEET_COMPLIANCE_FILTERS } from "@/server/domain/hosts/fleet-compliance";
import { HOST_STATUSES } from "@/server/domain/hosts/status";
import { listFleetPage } from "@/server/repo/fleet-page";
import { listFleetHosts } from "@/server/repo/hosts";
import { rng } from "@/server/test/rng";

const now = new Date("2026-11-20T12:00:00.000Z");
const tag = `fleetpage-${randomUUID().slice(0, 8)}`;
const HOSTS = 37;

beforeAll(async () => {
  const rand = rng(1515);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  for (let i = 0; i < HOSTS; i++) {
    const id = randomUUID();
    // ages around every status threshold (10 s heartbeat: online ≤ 30 s, stale ≤ 300 s)
    const age = pick([null, 0, 5, 30, 31, 120, 300, 301, 5000]);
    await prisma().host.create({
      data: {
        id,
        hostname: `${tag}-node${pick(["1", "2", "10", "11", "100"])}-${i}`,
        tokenHash: `fleet-page-test-${id}`,
        labels: [tag, pick(["rt", "pod1", "site=a", "Edge"])],
        lastSeenAt: age === null ? null : new Date(now.getTime() - age * 1000),
        heartbeatSeconds: pick([10, 10, 60]),
        cpuModel: pick([null, "Intel(R) Xeon(R) Gold 6338N", "AMD EPYC 7543"]),
        cpus: pick([null, 32, 64, 128]),
        kernelRelease: pick([null, "5.14.0-362.el9", "6.1.0-rt"]),
        agentVersion: pick([null, "0.9.1", "0.10.0"]),
        isVirtual: pick([null, true, false]),
      },
    });
    if (rand() < 0.75) {
      const fail = Math.floor(rand() * 3);
      const warn = Math.floor(rand() * 3);
      await prisma().complianceResult.create({
        data: {
          hostId: id,
          profileId: "kvm4nfv-host",
          evaluatedAt: now,
          score: Math.round(rand() * 100),
          pass: 10,
          fail,
          warn,
          na: 1,
          sections: { bios: { status: fail > 0 ? "fail" : "pass" }, numa: warn > 0 ? "warn" : "pass", hugepages: pick(["fail", "pass"]) },
          findings: [],
          inputHash: id,
        },
      });
    }
  }
});

afterAll(async () => {
  await disconnectPrisma();
});

describe("fleet page on the server", () => {
  it("filter, search, sort and paging equal the domain functions over the whole list", async () => {
    const everything = await listFleetHosts(now);
    const queries: FleetQuery[] = [];
    for (const status of ["all", ...HOST_STATUSES] as const) {
      for (const compliance of FLEET_COMPLIANCE_FILTERS) queries.push({ q: tag, status, compliance, sort: "hostname", dir: "asc" });
    }
    for (const sort of FLEET_SORT_KEYS) {
      for (const dir of ["asc", "desc"] as const) queries.push({ q: `${tag} `, status: "all", compliance: "all", sort, dir });
    }
    queries.push({ q: `${tag} EDGE xeon`, status: "all", compliance: "all", sort: "cpus", dir: "desc" });
    queries.push({ q: `${tag} vm`, status: "all", compliance: "any-fail", sort: "compliance", dir: "asc" });
    queries.push({ q: `${tag} node1`, status: "online", compliance: "all", sort: "lastSeen", dir: "desc" });
    queries.push({ q: `${tag} no-such-thing`, status: "all", compliance: "all", sort: "hostname", dir: "asc" });

    let compared = 0;
    for (const query of queries) {
      const expected = applyFleetQuery(everything, query).map((h) => h.id);
      const pageSize = 7;
      const got: string[] = [];
      for (let page = 1; page <= Math.max(1, Math.ceil(expected.length / pageSize)); page++) {
        const result = await listFleetPage({ ...query, page, pageSize }, now);
        expect(result.matching, JSON.stringify(query)).toBe(expected.length);
        expect(result.page).toBe(page);
        got.push(...result.hosts.map((h) => h.id));
      }
      expect(got, JSON.stringify(query)).toEqual(expected);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(HOSTS * FLEET_SORT_KEYS.length * 2);
  });

  it("a page past the end gives the last page; whole rows carry status and compliance like the full list", async () => {
    const query: FleetQuery = { q: tag, status: "all", compliance: "all", sort: "hostname", dir: "asc" };
    const result = await listFleetPage({ ...query, page: 999, pageSize: 10 }, now);
    expect(result.page).toBe(Math.ceil(HOSTS / 10));
    const full = applyFleetQuery(await listFleetHosts(now), query);
    expect(result.hosts).toEqual(full.slice((result.page - 1) * 10));
    expect(result.counts.all).toBeGreaterThanOrEqual(HOSTS);
    expect(result.counts.online + result.counts.stale + result.counts.offline).toBe(result.counts.all);
  });
});
