import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { findUnstorableText, recentTimestamp, setContractClock, storable, storableText, textProblem } from "@/server/contract/common";
import { enrollInput } from "@/server/contract/report";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
afterEach(() => setContractClock(null));

describe("storable text (well-formed Unicode, no NUL)", () => {
  it.each([
    ["plain ASCII", "nfvi-bj-c01", null],
    ["empty", "", null],
    ["accents and CJK", "déjà vu 北京", null],
    ["a whole emoji (surrogate pair)", "rack 😀", null],
    ["U+FFFD (what invalid UTF-8 decodes to)", "bad \ufffd byte", null],
    ["NUL", "a\u0000b", /NUL/],
    ["lone high surrogate", "a\ud800", /lone UTF-16 surrogate/],
    ["lone low surrogate", "\udfffa", /lone UTF-16 surrogate/],
    ["emoji cut in half", "😀".slice(0, 1), /lone UTF-16 surrogate/],
    ["two high surrogates", "\ud800\ud800\udc00", /lone UTF-16 surrogate/],
  ])("%s", (_name, s, expected) => {
    const problem = textProblem(s);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
    expect(storableText.safeParse(s).success).toBe(expected === null);
  });

  it("finds the first unstorable string or key anywhere, with its path", () => {
    expect(findUnstorableText({ a: [{ b: "ok" }, { c: "x\u0000" }] })).toEqual({ path: ["a", 1, "c"], problem: expect.stringMatching(/NUL/) });
    expect(findUnstorableText({ ["k\ud800"]: 1 })).toEqual({ path: ["k\ud800"], problem: expect.stringMatching(/surrogate/) });
    expect(findUnstorableText({ a: [1, true, null, "fine"] })).toBeNull();
  });

  it("storable() names the field in the zod issue, jsonb-like data included", () => {
    const schema = storable(z.object({ data: z.record(z.string(), z.unknown()) }));
    const r = schema.safeParse({ data: { nested: { deeper: ["ok", "bad\u0000"] } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["data", "nested", "deeper", 1]);
    const enrol = enrollInput.safeParse({ enrollmentToken: "x".repeat(20), hostname: "host\u0000name", agentVersion: "1" });
    expect(enrol.error?.issues.map((i) => i.path.join("."))).toEqual(["hostname"]);
  });
});

describe("recentTimestamp (within a sane window of the server's clock)", () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it.each([
    ["now", iso(NOW), true],
    ["23 h ahead", iso(NOW + 23 * 3600_000), true],
    ["25 h ahead", iso(NOW + 25 * 3600_000), false],
    ["9 years ago", iso(NOW - 9 * 365 * 86_400_000), true],
    ["11 years ago", iso(NOW - 11 * 366 * 86_400_000), false],
    ["year 0", "0000-01-01T00:00:00Z", false],
    ["year 275760", "+275760-09-13T00:00:00.000Z", false],
    ["Feb 30", "2026-02-30T00:00:00Z", false],
    ["no zone", "2026-06-01T12:00:00", false],
  ])("%s → %s", (_name, value, ok) => {
    setContractClock(() => NOW);
    expect(recentTimestamp.safeParse(value).success).toBe(ok);
  });

  it("follows the injected clock", () => {
    const value = "2026-06-01T12:00:00.000Z";
    setContractClock(() => NOW - 2 * 86_400_000);
    expect(recentTimestamp.safeParse(value).success).toBe(false);
    setContractClock(() => NOW + 2 * 86_400_000);
    expect(recentTimestamp.safeParse(value).success).toBe(true);
  });
});
