import { describe, expect, it } from "vitest";
import { selectSections } from "@/agent/daemon";
import type { ReportSections, SectionName } from "@/server/contract/report";

const H = (c: string) => c.repeat(64);
const env = (hash: string, ok = true, available = true) => ({ ok, available, durationMs: 1, hash, data: null });
const sig = (hash: string, ok = true, available = true) => `${ok ? 1 : 0}${available ? 1 : 0}:${hash}`;
const map = (entries: [SectionName, string][]) => new Map<SectionName, string>(entries);

describe("selectSections", () => {
  const current = { kernel: env(H("a")), irq: env(H("b")), bios: env(H("c"), true, false) } as ReportSections;

  it.each([
    { name: "first report (nothing delivered or queued): everything", delivered: [], queued: [], full: false, sent: ["kernel", "irq", "bios"] },
    {
      name: "unchanged since the last delivered report: nothing",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: [],
    },
    {
      name: "full (start, hourly, after a static eviction): everything even if unchanged",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: true,
      sent: ["kernel", "irq", "bios"],
    },
    {
      name: "irq hash changed: only irq",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("9"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("9"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["irq"],
    },
    {
      name: "same hash but the collector used to fail: kernel again (ok flag is part of the state)",
      delivered: [["kernel", sig(H("a"), false)], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"), false)], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["kernel"],
    },
    {
      name: "changed and queued but not delivered yet (outage): repeated until delivered",
      delivered: [["kernel", sig(H("0"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["kernel"],
    },
    {
      name: "A→B→A during an outage: A again, though it equals what was delivered",
      delivered: [["kernel", sig(H("a"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      queued: [["kernel", sig(H("e"))], ["irq", sig(H("b"))], ["bios", sig(H("c"), true, false)]],
      full: false,
      sent: ["kernel"],
    },
  ] as { name: string; delivered: [SectionName, string][]; queued: [SectionName, string][]; full: boolean; sent: SectionName[] }[])(
    "$name",
    ({ delivered, queued, full, sent }) => {
      const picked = selectSections(current, map(delivered), map(queued), full);
      expect(Object.keys(picked).sort()).toEqual([...sent].sort());
      for (const name of sent) expect(picked[name]).toBe(current[name]);
    },
  );

  it("no sections collected: nothing to send", () => {
    expect(selectSections({}, map([]), map([]), true)).toEqual({});
  });
});
