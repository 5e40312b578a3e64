import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sectionsSchema } from "@/server/contract/report";

const REPO = path.join(import.meta.dirname, "../..");
const TSX = path.join(REPO, "node_modules/.bin/tsx");

function once(args: string[]) {
  return spawnSync(TSX, ["agent/main.ts", "once", ...args], { cwd: REPO, encoding: "utf8" });
}

describe("once (the real CLI)", () => {
  it("prints the kvm4nfv-baseline report with every CPU at sections.topology.data.cpus", () => {
    const out = execFileSync(TSX, ["agent/main.ts", "once", "--root", "agent/fixtures/kvm4nfv-baseline", "--json"], { cwd: REPO, encoding: "utf8" });
    const report = JSON.parse(out) as { hostname: string; sections: unknown };
    expect(report.hostname).toBe("otcnfv02");
    const sections = sectionsSchema.parse(report.sections);
    const cpus = sections.topology?.data?.cpus ?? [];
    expect(cpus).toHaveLength(36);
    expect(Object.keys(cpus[0]!).sort()).toEqual(["core", "cpu", "die", "node", "online", "package", "siblings"]);
    expect(cpus[18]).toEqual({ cpu: 18, package: 1, die: null, core: 0, node: 1, siblings: [18], online: true });
  });

  it("refuses a root that is not a directory and unknown flags", () => {
    expect(once(["--root", "/nonexistent-nfvdeck"]).status).toBe(2);
    const bad = once(["--bogus"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/usage: once/);
  });
});
