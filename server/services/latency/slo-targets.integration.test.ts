/**
 * SLO targets come from the one profile resolution (resolveProfile): a VM without an assignment is judged by
 * the built-in guest profile, a physical host by the host profile — in the per-host stats and the fleet report.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import { GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
import { enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

let viewer: Caller;
const saved = new Map<string, { sloMaxUs: number | null; sloP99999Us: number | null }>();

beforeAll(async () => {
  viewer = await signedInCaller("viewer");
  // Distinct targets on the two built-ins so the resolved profile shows in the result (restored after).
  for (const [id, slo] of [[GUEST_PROFILE_ID, { sloMaxUs: 41, sloP99999Us: 31 }], [HOST_PROFILE_ID, { sloMaxUs: 22, sloP99999Us: 17 }]] as const) {
    const row = await prisma().profile.findUniqueOrThrow({ where: { id }, select: { sloMaxUs: true, sloP99999Us: true } });
    saved.set(id, row);
    await prisma().profile.update({ where: { id }, data: slo });
  }
});
afterAll(async () => {
  for (const [id, row] of saved) await prisma().profile.update({ where: { id }, data: row });
  await disconnectPrisma();
});

describe("SLO targets follow resolveProfile", () => {
  it("a VM gets the guest profile's targets, a physical host the host profile's", async () => {
    const vm = await enrolHost(uniqueHostname("slo-vm"), { note: "slo test" });
    const metal = await enrolHost(uniqueHostname("slo-metal"), { note: "slo test" });
    await prisma().host.update({ where: { id: vm.hostId }, data: { isVirtual: true } });
    await prisma().host.update({ where: { id: metal.hostId }, data: { isVirtual: false } });

    const vmStats = await viewer.latency.getHostStats({ hostId: vm.hostId, window: { preset: "24h" } });
    expect(vmStats.sloTargets).toEqual({ maxUs: 41, p99999Us: 31 });
    const metalStats = await viewer.latency.getHostStats({ hostId: metal.hostId, window: { preset: "24h" } });
    expect(metalStats.sloTargets).toEqual({ maxUs: 22, p99999Us: 17 });

    const trend = await viewer.latency.getTrend({ hostId: vm.hostId, window: { preset: "24h" } });
    expect(trend.sloTargets).toEqual({ maxUs: 41, p99999Us: 31 });
  });
});
