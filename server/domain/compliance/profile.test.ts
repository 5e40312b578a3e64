import { describe, expect, it } from "vitest";
import { applyRuleEdits, parseStoredRules, profileEditSchema, validateRuleConfigs } from "@/server/domain/compliance/profile";
import { builtinProfiles, GUEST_PROFILE_ID, HOST_PROFILE_ID } from "@/server/domain/compliance/builtin-profiles";
import { resolveProfile } from "@/server/domain/compliance/assignment";
import { RULE_CATALOGUE } from "@/server/domain/compliance/catalogue";

const host = () => builtinProfiles().find((p) => p.id === HOST_PROFILE_ID)!;
const guest = () => builtinProfiles().find((p) => p.id === GUEST_PROFILE_ID)!;

describe("built-in profiles", () => {
  it("validate against the catalogue", () => {
    for (const p of builtinProfiles()) expect(validateRuleConfigs(p.rules)).toMatchObject({ ok: true });
  });

  it("the host profile holds every host rule; the guest profile the guide's guest boot line", () => {
    expect(host().rules.map((r) => r.ruleId)).toEqual(RULE_CATALOGUE.filter((r) => r.kinds.includes("host")).map((r) => r.id));
    const g = new Map(guest().rules.map((r) => [r.ruleId, r]));
    for (const id of ["kernel.isolcpus", "kernel.nohz-full", "kernel.rcu-nocbs"]) expect(g.get(id)?.params).toEqual({ cpus: "1" });
    for (const id of ["kernel.mce-off", "kernel.idle-poll", "kernel.default-hugepagesz", "kernel.hugepagesz"]) expect(g.has(id)).toBe(true);
    expect([...g.keys()].some((id) => id.startsWith("bios."))).toBe(false);
  });
});

describe("profile edits", () => {
  it.each([
    [[{ ruleId: "kernel.nope", enabled: false }], 'unknown rule id "kernel.nope"'],
    [[{ ruleId: "kernel.isolcpus", params: { cpus: "2-x" } }], 'rule "kernel.isolcpus": invalid params: cpus: not a cpu list (expected e.g. "2-5,8")'],
    [[{ ruleId: "kernel.isolcpus", params: { cpus: "5-2" } }], "not a cpu list"],
    [[{ ruleId: "kernel.isolcpus", params: { cpu: "2-5" } }], "invalid params"],
    [[{ ruleId: "runtime.irq-affinity", params: { allowNames: ["("] } }], "not a valid regular expression"],
    [[{ ruleId: "kernel.default-hugepagesz", params: { size: "huge" } }], "not a size"],
    [[{ ruleId: "hugepages.isolated-nodes", params: { minPages: 0 } }], "minPages"],
    [[{ ruleId: "kernel.isolcpus", enabled: false }, { ruleId: "kernel.isolcpus", enabled: true }], "edited twice"],
  ])("refuses %j with a clear message", (edits, message) => {
    const r = applyRuleEdits(host().rules, edits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join("\n")).toContain(message);
  });

  it("switches a rule off, changes a severity and a param, keeping the rest", () => {
    const r = applyRuleEdits(host().rules, [
      { ruleId: "runtime.irqbalance", enabled: false },
      { ruleId: "kernel.preempt-rt", severity: "major" },
      { ruleId: "kernel.isolcpus", params: { cpus: "2-5" } },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const byId = new Map(r.rules.map((x) => [x.ruleId, x]));
    expect(byId.get("runtime.irqbalance")?.enabled).toBe(false);
    expect(byId.get("kernel.preempt-rt")?.severity).toBe("major");
    expect(byId.get("kernel.isolcpus")?.params).toEqual({ cpus: "2-5" });
    expect(r.rules).toHaveLength(host().rules.length);
  });

  it("can add a catalogue rule the profile lacks (with defaults filled in)", () => {
    const r = applyRuleEdits(guest().rules, [{ ruleId: "runtime.clocksource-tsc", enabled: true }]);
    expect(r.ok && r.rules.find((x) => x.ruleId === "runtime.clocksource-tsc")?.params).toEqual({ clocksource: "tsc" });
  });

  it("the edit schema refuses bad names and unknown fields", () => {
    expect(profileEditSchema.safeParse({ name: "x" }).success).toBe(false);
    expect(profileEditSchema.safeParse({ name: "RT lab <script>" }).success).toBe(false);
    expect(profileEditSchema.safeParse({ name: "RT lab (no HT rule)" }).success).toBe(true);
    expect(profileEditSchema.safeParse({ builtIn: false }).success).toBe(false);
    expect(profileEditSchema.safeParse({ rules: [{ ruleId: "kernel.isolcpus", severity: "fatal" }] }).success).toBe(false);
  });

  it("stored rules that no longer validate are dropped and reported", () => {
    const r = parseStoredRules([{ ruleId: "kernel.isolcpus", enabled: true, severity: "critical", params: {} }, { ruleId: "gone.rule", enabled: true, severity: "minor", params: {} }, 42]);
    expect(r.rules.map((x) => x.ruleId)).toEqual(["kernel.isolcpus"]);
    expect(r.dropped).toEqual(["gone.rule", "malformed entry"]);
    expect(parseStoredRules("nope")).toEqual({ rules: [], dropped: ["rules is not a list"] });
  });
});

describe("profile resolution: explicit host > label > default by virtualisation", () => {
  const labels = new Map([
    ["rt-lab", "custom-a"],
    ["edge", "custom-b"],
  ]);
  it.each([
    [{ profileId: "custom-x", labels: ["rt-lab"], isVirtual: false }, "custom-x", "host"],
    [{ profileId: null, labels: ["rt-lab"], isVirtual: true }, "custom-a", "label"],
    [{ profileId: null, labels: ["rt-lab", "edge"], isVirtual: false }, "custom-b", "label"],
    [{ profileId: null, labels: ["other"], isVirtual: false }, HOST_PROFILE_ID, "default"],
    [{ profileId: null, labels: [], isVirtual: true }, GUEST_PROFILE_ID, "default"],
    [{ profileId: null, labels: [], isVirtual: null }, HOST_PROFILE_ID, "default"],
  ] as const)("%j → %s via %s", (h, id, via) => {
    const r = resolveProfile({ ...h, labels: [...h.labels] }, labels);
    expect(r.profileId).toBe(id);
    expect(r.via).toBe(via);
  });

  it("a dangling assignment falls through", () => {
    const r = resolveProfile({ profileId: "deleted", labels: ["rt-lab"], isVirtual: false }, labels, new Set(["custom-b", HOST_PROFILE_ID]));
    expect(r.profileId).toBe(HOST_PROFILE_ID);
  });
});
