/**
 * A full report re-sending sections the server already holds: their data is not shipped to PostgreSQL
 * again (the process remembers what it stored), and when that memory is stale — another process stored
 * another version meanwhile — the statement writes nothing and the report is written again with all data.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { sectionHash } from "@/server/contract/canonical";
import type { ReportPayload } from "@/server/contract/report";
import { disconnectPrisma, pgPool, prisma } from "@/server/db";
import { hashToken, newToken } from "@/server/repo/host-auth";
import { agentCaller, enrolHost, uniqueHostname } from "@/server/test/callers";

afterAll(async () => {
  vi.restoreAllMocks();
  await disconnectPrisma();
});

const kvmOf = (warning: string) => ({ vendorModule: null, kvmParams: {}, vendorParams: {}, enableApicv: null, preemptionTimer: null, pleGap: null, nxHugePages: null, kvmclockPeriodicSync: null, haltPollNs: null, nested: null, warnings: [warning] });
const resctrlOf = (mounted: boolean) => ({ mounted, inProcMounts: mounted, mountOptions: [], info: null, controlGroups: [], monGroups: [], warnings: [] });

function report(hostId: string, sequence: number, kvm: ReturnType<typeof kvmOf>, resctrl: ReturnType<typeof resctrlOf>): ReportPayload {
  return {
    hostId,
    idempotencyKey: `${hostId}:${sequence}`,
    sequence,
    collectedAt: new Date(Date.now() - 60_000 + sequence).toISOString(),
    agentVersion: "test",
    hostname: "unchanged-host",
    sections: {
      kvm: { ok: true, available: true, durationMs: 1, hash: sectionHash("kvm", kvm), data: kvm },
      resctrl: { ok: true, available: true, durationMs: 2, hash: sectionHash("resctrl", resctrl), data: resctrl },
    },
  };
}

/** The sections parameter of each full-report statement sent while `run` runs. */
async function sentSections(run: () => Promise<unknown>): Promise<{ section: string; omitted: boolean; data?: unknown }[][]> {
  const pool = pgPool();
  const sent: { section: string; omitted: boolean; data?: unknown }[][] = [];
  const original = pool.query.bind(pool) as (config: unknown) => Promise<unknown>;
  const spy = vi.spyOn(pool, "query").mockImplementation(((config: unknown) => {
    const c = config as { name?: string; values?: unknown[] };
    if (c.name === "full-report") {
      const json = c.values?.find((v) => typeof v === "string" && v.startsWith('[{"section"'));
      if (typeof json === "string") sent.push(JSON.parse(json) as { section: string; omitted: boolean; data?: unknown }[]);
    }
    return original(config);
  }) as typeof pool.query);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return sent;
}

async function stored(hostId: string) {
  const rows = await prisma().hostSection.findMany({ where: { hostId }, select: { section: true, hash: true, data: true, durationMs: true } });
  return Object.fromEntries(rows.map((r) => [r.section, r]));
}

describe("unchanged sections in a full report", () => {
  it("are not shipped again, are kept as stored, and a stale memory falls back to sending every section", async () => {
    const { hostId, hostToken } = await enrolHost(uniqueHostname("unchanged-host"), { note: "unchanged-sections" });
    const agent = await agentCaller(hostToken);
    const kvmA = kvmOf("a");
    const first = await sentSections(() => agent.agent.report(report(hostId, 1, kvmA, resctrlOf(false))));
    expect(first.map((s) => s.map((x) => [x.section, x.omitted, "data" in x]))).toEqual([[["resctrl", false, true], ["kvm", false, true]]]);

    // kvm unchanged, resctrl changed: only resctrl's data travels; kvm keeps its stored value, its metadata moves
    let answer: Awaited<ReturnType<typeof agent.agent.report>> | undefined;
    const second = await sentSections(async () => {
      answer = await agent.agent.report(report(hostId, 2, kvmA, resctrlOf(true)));
    });
    expect(second.map((s) => s.map((x) => [x.section, x.omitted, "data" in x]))).toEqual([[["resctrl", false, true], ["kvm", true, false]]]);
    expect(answer?.sectionsChanged).toEqual(["resctrl"]);
    let now = await stored(hostId);
    expect(now.kvm?.data).toEqual(kvmA);
    expect(now.resctrl?.data).toEqual(resctrlOf(true));

    // another process stores kvm B; this one still remembers A and omits it: nothing is written, then all is sent
    const kvmB = kvmOf("b");
    await prisma().hostSection.update({ where: { hostId_section: { hostId, section: "kvm" } }, data: { hash: sectionHash("kvm", kvmB), data: kvmB } });
    const third = await sentSections(async () => {
      answer = await agent.agent.report(report(hostId, 3, kvmA, resctrlOf(true)));
    });
    expect(third.map((s) => s.map((x) => [x.section, x.omitted, "data" in x]))).toEqual([
      [["resctrl", true, false], ["kvm", true, false]],
      [["resctrl", false, true], ["kvm", false, true]],
    ]);
    expect(answer).toMatchObject({ stored: true, duplicate: false, sectionsChanged: ["kvm"] });
    now = await stored(hostId);
    expect(now.kvm).toMatchObject({ hash: sectionHash("kvm", kvmA), data: kvmA });
    const log = await prisma().report.findMany({ where: { hostId }, select: { sequence: true, sectionsChanged: true }, orderBy: { sequence: "asc" } });
    expect(log.map((r) => [Number(r.sequence), r.sectionsChanged])).toEqual([
      [1, ["resctrl", "kvm"]],
      [2, ["resctrl"]],
      [3, ["kvm"]],
    ]);
    const history = await prisma().hostSectionHistory.count({ where: { hostId, section: "kvm", hash: sectionHash("kvm", kvmA) } });
    expect(history).toBe(2);
  });

  it("a section changed by a concurrent report while this one waits keeps that report's hash and data", async () => {
    const { hostId, hostToken } = await enrolHost(uniqueHostname("unchanged-race"), { note: "unchanged-sections" });
    const agent = await agentCaller(hostToken);
    const kvmA = kvmOf("a");
    const kvmB = kvmOf("b");
    await agent.agent.report(report(hostId, 1, kvmA, resctrlOf(false)));
    // another process's report is writing kvm B (row locked, not yet committed) when this one arrives
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query("begin");
      await other.query(`update "HostSection" set hash = $1, data = $2 where "hostId" = $3 and section = 'kvm'`, [sectionHash("kvm", kvmB), JSON.stringify(kvmB), hostId]);
      // kvm unchanged as far as this report knows (its snapshot still shows A): sent without data
      const pending = agent.agent.report(report(hostId, 2, kvmA, resctrlOf(true)));
      for (let i = 0; i < 200; i++) {
        const waiting = await other.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%HostSection%' and pid <> pg_backend_pid()`);
        if ((waiting.rowCount ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await other.query("commit");
      const answer = await pending;
      expect(answer).toMatchObject({ stored: true, sectionsChanged: ["resctrl"] });
    } finally {
      await other.end();
    }
    // never A's hash over B's data (nor over no data): kvm is what the other report wrote
    const now = await stored(hostId);
    expect(now.kvm).toMatchObject({ hash: sectionHash("kvm", kvmB), data: kvmB });
    expect(now.resctrl?.data).toEqual(resctrlOf(true));
    // the next report sends kvm A again (the stored hash is not the one remembered): A is stored with its data
    await agent.agent.report(report(hostId, 3, kvmA, resctrlOf(true)));
    expect((await stored(hostId)).kvm).toMatchObject({ hash: sectionHash("kvm", kvmA), data: kvmA });
  });

  it("of a host this process has no memory of (it restarted) are looked up first and not shipped either", async () => {
    // a host whose earlier reports another process (or this one before a restart) stored: kvm A is stored
    const hostId = randomUUID();
    const hostToken = newToken("nfvh");
    const kvmA = kvmOf("a");
    await pgPool().query(`insert into "Host" (id, hostname, "tokenHash") values ($1, $2, $3)`, [hostId, uniqueHostname("unchanged-restart"), hashToken(hostToken)]);
    await pgPool().query(
      `insert into "HostSection" ("hostId", section, hash, ok, available, "durationMs", data, "collectedAt", "updatedAt") values ($1, 'kvm', $2, true, true, 1, $3, now(), now())`,
      [hostId, sectionHash("kvm", kvmA), JSON.stringify(kvmA)],
    );
    const agent = await agentCaller(hostToken);
    let answer: Awaited<ReturnType<typeof agent.agent.report>> | undefined;
    const sent = await sentSections(async () => {
      answer = await agent.agent.report(report(hostId, 1, kvmA, resctrlOf(false)));
    });
    expect(sent.map((s) => s.map((x) => [x.section, x.omitted, "data" in x]))).toEqual([[["resctrl", false, true], ["kvm", true, false]]]);
    expect(answer).toMatchObject({ stored: true, sectionsChanged: ["resctrl"] });
    const now = await stored(hostId);
    expect(now.kvm).toMatchObject({ hash: sectionHash("kvm", kvmA), data: kvmA });
    expect(now.resctrl?.data).toEqual(resctrlOf(false));
  });
});
