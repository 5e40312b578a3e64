/**
 * Golden test: the report `once` builds for every fixture tree under agent/fixtures must equal the checked-in
 * agent/fixtures/<host>/expected-report.json (durations zeroed, collectedAt fixed).
 * Update after an intended change with: UPDATE_GOLDEN=1 npx vitest run agent/report/golden.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { buildLocalReport, type LocalReport } from "@/agent/report/collect";
import { sectionsSchema } from "@/server/contract/report";

const FIXTURES = path.join(import.meta.dirname, "../fixtures");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const FIXED_TIME = new Date("2026-01-01T00:00:00.000Z");

/** A host tree has a sys/ or proc/ directory, or an expected report (the empty tree). */
function hostTrees(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .filter((name) => ["sys", "proc", "expected-report.json"].some((p) => existsSync(path.join(FIXTURES, name, p))))
    .sort();
}

function normalise(report: LocalReport): LocalReport {
  const sections = Object.fromEntries(Object.entries(report.sections).map(([k, s]) => [k, { ...s, durationMs: 0 }]));
  return { ...report, collectedAt: FIXED_TIME.toISOString(), sections: sections as LocalReport["sections"] };
}

describe("golden reports", () => {
  it("finds the fixture trees", () => {
    expect(hostTrees()).toEqual(expect.arrayContaining(["amd-epyc", "broken-partial", "ht-on-rdt", "ht-on-rdt-cdp", "kvm4nfv-baseline", "this-vm"]));
  });

  it.each(hostTrees())("%s", async (host) => {
    const report = normalise(await buildLocalReport(new HostFs(path.join(FIXTURES, host)), { now: FIXED_TIME }));
    expect(sectionsSchema.safeParse(report.sections).success).toBe(true);
    const file = path.join(FIXTURES, host, "expected-report.json");
    const actual = `${JSON.stringify(report, null, 2)}\n`;
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE) throw new Error(`${file} missing: run with UPDATE_GOLDEN=1 to create it`);
      writeFileSync(file, actual);
    }
    expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(file, "utf8")));
  });
});
