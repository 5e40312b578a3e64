import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import { planCapture, run } from "@/agent/commands/capture";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");

function dataOf(sections: Awaited<ReturnType<typeof collectSections>>) {
  return Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, { ok: s.ok, available: s.available, hash: s.hash }]));
}

describe("capture", () => {
  it("keeps /proc/<pid> files only for processes of interest", () => {
    const plan = planCapture(
      new Map([
        ["proc/1/comm", "systemd\n"],
        ["proc/77/comm", "irqbalance\n"],
        ["proc/77/environ", "A=1\0"],
        ["proc/cmdline", "ro\n"],
      ]),
    );
    expect([...plan.keys()]).toEqual(["proc/77/comm", "proc/77/environ", "proc/cmdline"]);
  });

  it.each(["ht-on-rdt", "broken-partial"])("a capture of %s replays to the same report", async (host) => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "capture-")), host);
    const root = path.join(FIXTURES, host);
    expect(await run(["--root", root, "--out", out])).toBe(0);
    expect(existsSync(path.join(out, "README.md"))).toBe(true);
    expect(readFileSync(path.join(out, "README.md"), "utf8")).toMatch(/Captured with/);
    expect(dataOf(await collectSections(new HostFs(out)))).toEqual(dataOf(await collectSections(new HostFs(root))));
  });

  it("rejects missing --out", async () => {
    expect(await run(["--root", "/"])).toBe(2);
  });
});
