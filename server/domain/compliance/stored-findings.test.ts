import path from "node:path";
import { describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { collectSections } from "@/agent/report/collect";
import { HOST_KINDS, simulateHost } from "@/agent/simulate/hosts";
import { builtinProfiles } from "@/server/domain/compliance/builtin-profiles";
import { evaluateProfile } from "@/server/domain/compliance/evaluate";
import { snapshotFromSections } from "@/server/domain/compliance/snapshot";
import {
  findingsMatchRuleSet,
  joinFindings,
  outcomeOf,
  ruleTextOf,
  statusesFromRuleSet,
  statusesOf,
  storedOutcomesSchema,
  ruleSetSchema,
} from "@/server/domain/compliance/stored-findings";
import { findingSchema, type Finding } from "@/server/domain/compliance/types";

const FIXTURES = path.resolve(import.meta.dirname, "../../../agent/fixtures");

/** Findings as the stored full form was read back: through jsonb (key order lost) and the zod schema. */
const asReadBefore = (findings: Finding[]) => findingSchema.array().parse(JSON.parse(JSON.stringify(findings)));

async function evaluations() {
  const out: Finding[][] = [];
  for (const profile of builtinProfiles()) {
    for (const kind of HOST_KINDS) out.push(evaluateProfile(snapshotFromSections((await simulateHost({ index: 1, seed: "stored", kind })).sections), profile).findings);
    for (const tree of ["kvm4nfv-baseline", "amd-epyc"]) out.push(evaluateProfile(snapshotFromSections(await collectSections(new HostFs(path.join(FIXTURES, tree)))), profile).findings);
  }
  return out;
}

describe("compact stored findings", () => {
  it("rule set + outcomes (through JSON and their schemas) give back exactly the findings the full form showed, key order included", async () => {
    for (const findings of await evaluations()) {
      const ruleSet = ruleSetSchema.parse(JSON.parse(JSON.stringify(findings.map(ruleTextOf))));
      const outcomes = storedOutcomesSchema.parse(JSON.parse(JSON.stringify(findings.map(outcomeOf))));
      const joined = joinFindings(ruleSet, outcomes);
      expect(JSON.stringify(joined)).toBe(JSON.stringify(asReadBefore(findings)));
      expect(findingsMatchRuleSet(findings, ruleSet)).toBe(true);
      expect(statusesFromRuleSet(ruleSet, statusesOf(findings))).toEqual(findings.map((f) => ({ ruleId: f.ruleId, section: f.section, status: f.status })));
    }
  });

  it("keeps an observed value that differs from the message, and drops only the one that repeats it", () => {
    const f: Finding = {
      ruleId: "r", title: "t", section: "bios", severity: "major", status: "na", message: "why", expected: "x", remediation: "y", tuningActionId: null,
      evidence: { observed: "why", expected: "e", source: "s" },
    };
    expect(outcomeOf(f).e).toEqual({ expected: "e", source: "s" });
    const g = { ...f, status: "fail" as const, evidence: { observed: "other", expected: "e", source: "s", inferred: true, items: ["a"] } };
    expect(joinFindings([ruleTextOf(g)], [outcomeOf(g)])).toEqual([g]);
  });

  it("a rule set that does not fit the outcomes or the statuses is refused, never misaligned", () => {
    const f: Finding = { ruleId: "r", title: "t", section: "bios", severity: "major", status: "pass", message: "m", expected: "x", remediation: "y", tuningActionId: null, evidence: { observed: "o", expected: "e", source: "s" } };
    expect(joinFindings([], [outcomeOf(f)])).toBeNull();
    expect(statusesFromRuleSet([ruleTextOf(f)], "pf")).toBeNull();
    expect(statusesFromRuleSet([ruleTextOf(f)], "x")).toBeNull();
    expect(findingsMatchRuleSet([f], [{ ...ruleTextOf(f), severity: "minor" }])).toBe(false);
  });
});
