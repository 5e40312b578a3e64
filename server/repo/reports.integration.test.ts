import { describe, expect, it } from "vitest";
import { sectionHash } from "@/server/contract/canonical";
import type { ReportPayload } from "@/server/contract/report";
import { prisma } from "@/server/db";
import { agentCaller, enrolHost, uniqueHostname } from "@/server/test/callers";

// An irq section whose counters moved but whose affinities did not is the same section: the latest
// values are refreshed, but no history row is written and nothing is reported as changed.
function irqData(total: number, effective: number[]) {
  return {
    columns: [0, 1],
    defaultSmpAffinity: [0, 1],
    irqs: [{ irq: 24, name: "eth0-TxRx-0", chip: "PCI-MSI", hwirq: "1-edge", total, cpusWithCounts: [0], smpAffinity: [0, 1], effectiveAffinity: effective, managed: false }],
    other: [{ name: "LOC", description: "Local timer interrupts", total: total * 10, cpusWithCounts: [0, 1] }],
    warnings: [],
  };
}

function report(hostId: string, sequence: number, data: ReturnType<typeof irqData>): ReportPayload {
  return {
    hostId,
    idempotencyKey: `${hostId}:${sequence}`,
    sequence,
    collectedAt: new Date(Date.UTC(2026, 10, 22, 10, sequence)).toISOString(),
    agentVersion: "test",
    hostname: "irq-host",
    sections: { irq: { ok: true, available: true, durationMs: 1, hash: sectionHash("irq", data), data } },
  };
}

describe("volatile counters in a section", () => {
  it("refresh the stored section without a history row; an affinity change still makes one", async () => {
    const { hostId, hostToken } = await enrolHost(uniqueHostname("irq-host"), { note: "reports.integration" });
    const agent = await agentCaller(hostToken);

    const first = await agent.agent.report(report(hostId, 1, irqData(100, [0])));
    expect(first.sectionsChanged).toEqual(["irq"]);
    const countersMoved = await agent.agent.report(report(hostId, 2, irqData(90_000, [0])));
    expect(countersMoved.sectionsChanged).toEqual([]);
    const moved = await agent.agent.report(report(hostId, 3, irqData(90_500, [1])));
    expect(moved.sectionsChanged).toEqual(["irq"]);

    const history = await prisma().hostSectionHistory.count({ where: { hostId, section: "irq" } });
    expect(history).toBe(2);
    const latest = await prisma().hostSection.findUnique({ where: { hostId_section: { hostId, section: "irq" } }, select: { data: true } });
    expect(JSON.stringify(latest?.data)).toContain('"total":90500');
  });
});

describe("an unchanged section in a full report", () => {
  it("keeps its stored data and refreshes its times; a JSON-null data stays a JSON null", async () => {
    const { hostId, hostToken } = await enrolHost(uniqueHostname("same-kvm"), { note: "reports.integration" });
    const agent = await agentCaller(hostToken);
    const kvm = {
      vendorModule: "kvm_intel" as const, kvmParams: { halt_poll_ns: "200000" }, vendorParams: {}, enableApicv: true, preemptionTimer: true,
      pleGap: 0, nxHugePages: "N", kvmclockPeriodicSync: true, haltPollNs: 200_000, nested: false, warnings: [],
    };
    const send = (sequence: number, minute: number) =>
      agent.agent.report({
        hostId,
        idempotencyKey: `${hostId}:${sequence}`,
        sequence,
        collectedAt: new Date(Date.UTC(2026, 10, 22, 10, minute)).toISOString(),
        agentVersion: "test",
        hostname: "same-kvm",
        sections: {
          kvm: { ok: true, available: true, durationMs: sequence, hash: sectionHash("kvm", kvm), data: kvm },
          vms: { ok: true, available: false, durationMs: 1, hash: sectionHash("vms", null), data: null },
        },
      });
    expect((await send(1, 0)).sectionsChanged).toEqual(["kvm", "vms"]);
    expect((await send(2, 5)).sectionsChanged).toEqual([]);
    const rows = await prisma().$queryRaw<{ section: string; data: unknown; isJsonNull: boolean; durationMs: number; collectedAt: Date }[]>`
      select section, data, jsonb_typeof(data) = 'null' as "isJsonNull", "durationMs", "collectedAt" from "HostSection" where "hostId" = ${hostId}::uuid order by section`;
    expect(rows.map((r) => r.section)).toEqual(["kvm", "vms"]);
    expect(rows[0]?.data).toEqual(kvm);
    expect(rows[0]?.durationMs).toBe(2);
    expect(rows[0]?.collectedAt.toISOString()).toBe(new Date(Date.UTC(2026, 10, 22, 10, 5)).toISOString());
    expect(rows[1]?.isJsonNull).toBe(true);
    expect(await prisma().hostSectionHistory.count({ where: { hostId } })).toBe(2);
  });
});
