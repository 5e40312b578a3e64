/**
 * Reads never write (issue 8 item 7, issue 9): listing or opening profiles leaves the built-in rows alone
 * (they are seeded by the migrate step), and reading a host's compliance never evaluates it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "@/server/db";
import { GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
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
    // xmin is the id of the transaction that last wrote a row: any UPDATE changes it, an upsert's
    // ON CONFLICT DO UPDATE or a raw statement that leaves updatedAt alone included
    const rowVersions = () => prisma().$queryRaw<{ id: string; xmin: string; updatedAt: Date }[]>`
      select id, xmin::text as xmin, "updatedAt" from "Profile" where "builtIn" order by id`;
    const before = await rowVersions();
    expect(before.map((r) => r.id)).toEqual([GUEST_PROFILE_ID, HOST_PROFILE_ID].sort());
    await viewer.compliance.listProfiles({});
    await viewer.compliance.getProfile({ id: HOST_PROFILE_ID });
    await viewer.compliance.getProfile({ id: GUEST_PROFILE_ID });
    await viewer.compliance.listProfiles({});
    expect(await rowVersions()).toEqual(before);
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
