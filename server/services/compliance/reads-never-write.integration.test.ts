/**
 * Reads never write (issue 8 item 7, issue 9): listing or opening profiles leaves the built-in rows alone
 * (they are seeded by the migrate step), and reading a host's compliance never evaluates it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import { HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
import { backfillCompliance } from "@/server/services/compliance/backfill-compliance";
import { enrolHost, signedInCaller, uniqueHostname, type Caller } from "@/server/test/callers";

let viewer: Caller;
beforeAll(async () => {
  viewer = await signedInCaller("viewer");
});
afterAll(async () => {
  await disconnectPrisma();
});

describe("reads never write", () => {
  it("the built-ins exist after migrate, and viewer reads of profiles do not touch their rows", async () => {
    const before = await prisma().profile.findUniqueOrThrow({ where: { id: HOST_PROFILE_ID }, select: { updatedAt: true } });
    await viewer.compliance.listProfiles({});
    await viewer.compliance.getProfile({ id: HOST_PROFILE_ID });
    await viewer.compliance.listProfiles({});
    const after = await prisma().profile.findUniqueOrThrow({ where: { id: HOST_PROFILE_ID }, select: { updatedAt: true } });
    expect(after.updatedAt).toEqual(before.updatedAt);
  });

  it("reading a host without a result stores nothing; the start-up backfill evaluates it", async () => {
    const host = await enrolHost(uniqueHostname("no-result"), { note: "reads test" });
    await prisma().hostSection.create({
      data: { hostId: host.hostId, section: "kvm", hash: "h", ok: true, available: false, durationMs: 1, data: {}, collectedAt: new Date() },
    });
    const read = await viewer.compliance.getHostCompliance({ hostId: host.hostId });
    expect(read.result).toBeNull();
    await viewer.compliance.listFleetCompliance({});
    expect(await prisma().complianceResult.count({ where: { hostId: host.hostId } })).toBe(0);

    await backfillCompliance();
    expect(await prisma().complianceResult.count({ where: { hostId: host.hostId } })).toBe(1);
    expect((await viewer.compliance.getHostCompliance({ hostId: host.hostId })).result).not.toBeNull();
  });
});
