/**
 * The fleet page's SQL order (server/repo/fleet-page.ts: ORDER BY in the "fleet_natural" ICU
 * collation, missing values last, host name then id) against the in-Node order it replaced
 * (sortFleet's Intl.Collator, through applyFleetQuery over listFleetHosts), for every sort key and
 * direction, on names that tell the two apart if the collation drifts: case and accents only,
 * equal names (the id decides), numbers of different widths and leading zeros, punctuation, empty
 * strings, equal timestamps and scores. Every query carries this run's label as a search term.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import { applyFleetQuery, FLEET_SORT_KEYS, type FleetQuery } from "@/server/domain/hosts/fleet";
import { HOST_STATUSES } from "@/server/domain/hosts/status";
import { listFleetPage } from "@/server/repo/fleet-page";
import { listFleetHosts } from "@/server/repo/hosts";
import { rng } from "@/server/test/rng";

const now = new Date("2026-11-21T08:30:00.000Z");
const tag = `fleetorder-${randomUUID().slice(0, 8)}`;
const HOSTS = 60;

const NAMES = ["node2", "Node2", "NODE2", "nöde2", "node10", "node010", "node1", "node-1", "node_1", "node 1", "node1a", "node1A", "edge9", "Edge10", "ëdge11"];
const STRINGS = [null, "", "Intel Xeon", "intel xeon", "INTEL XEON", "Intél Xeon", "AMD EPYC 7543", "AMD EPYC 75430", "5.9.0", "5.10.0", "5.10.0-rt", "0.9.1", "0.10.0", "0.10.0-rc1"];

beforeAll(async () => {
  const rand = rng(2020);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  for (let i = 0; i < HOSTS; i++) {
    const id = randomUUID();
    const age = pick([null, 0, 0, 30, 31, 300, 301, 7200]);
    await prisma().host.create({
      data: {
        id,
        hostname: `${pick(NAMES)}.${tag}`,
        tokenHash: `fleet-order-test-${id}`,
        labels: [tag],
        lastSeenAt: age === null ? null : new Date(now.getTime() - age * 1000),
        heartbeatSeconds: pick([10, 60]),
        cpuModel: pick(STRINGS),
        cpus: pick([null, 8, 8, 64]),
        kernelRelease: pick(STRINGS),
        agentVersion: pick(STRINGS),
        isVirtual: pick([null, false]),
      },
    });
    if (rand() < 0.7) {
      await prisma().complianceResult.create({
        data: {
          hostId: id,
          profileId: "kvm4nfv-host",
          evaluatedAt: now,
          score: pick([0, 50, 50, 87.5, 100]),
          pass: 1,
          fail: 0,
          warn: 0,
          na: 0,
          sections: {},
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

describe("fleet page order in SQL", () => {
  it("equals the in-Node sort for every key and direction, page by page", async () => {
    const everything = await listFleetHosts(now);
    let compared = 0;
    for (const status of ["all", ...HOST_STATUSES] as const) {
      for (const sort of FLEET_SORT_KEYS) {
        for (const dir of ["asc", "desc"] as const) {
          const query: FleetQuery = { q: tag, status, compliance: "all", sort, dir };
          const expected = applyFleetQuery(everything, query).map((h) => h.id);
          const pageSize = 9;
          const got: string[] = [];
          for (let page = 1; page <= Math.max(1, Math.ceil(expected.length / pageSize)); page++) {
            const result = await listFleetPage({ ...query, page, pageSize }, now);
            expect(result.matching, JSON.stringify(query)).toBe(expected.length);
            got.push(...result.hosts.map((h) => h.id));
          }
          expect(got, JSON.stringify(query)).toEqual(expected);
          compared += expected.length;
        }
      }
    }
    // every host was compared under every key and direction (status "all")
    expect(compared).toBeGreaterThanOrEqual(HOSTS * FLEET_SORT_KEYS.length * 2 * 2);
  });
});
