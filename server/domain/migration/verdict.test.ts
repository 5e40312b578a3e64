import { describe, expect, it } from "vitest";
import { judgeMigration } from "@/server/domain/migration/verdict";

describe("judgeMigration (total < 2 s, downtime < 10 ms)", () => {
  it.each([
    { name: "idle guest, well inside", status: "completed", totalTimeMs: 30, downtimeMs: 1, verdict: "pass", reason: /total 30 ms < 2000 ms, downtime 1 ms < 10 ms/ },
    { name: "the guide's optimised figures", status: "completed", totalTimeMs: 654, downtimeMs: 5, verdict: "pass", reason: /total 654 ms/ },
    { name: "the guide's baseline", status: "completed", totalTimeMs: 2271, downtimeMs: 26, verdict: "fail", reason: /total 2271 ms ≥ 2000 ms; downtime 26 ms ≥ 10 ms/ },
    { name: "exactly 2 s is not under 2 s", status: "completed", totalTimeMs: 2000, downtimeMs: 1, verdict: "fail", reason: /^total 2000 ms ≥ 2000 ms$/ },
    { name: "exactly 10 ms is not under 10 ms", status: "completed", totalTimeMs: 100, downtimeMs: 10, verdict: "fail", reason: /^downtime 10 ms ≥ 10 ms$/ },
    { name: "bandwidth-starved", status: "completed", totalTimeMs: 3433, downtimeMs: 3, verdict: "fail", reason: /^total 3433 ms/ },
    { name: "failed, whatever its figures", status: "failed", totalTimeMs: 10, downtimeMs: null, verdict: "fail", reason: /migration failed/ },
    { name: "cancelled", status: "cancelled", totalTimeMs: null, downtimeMs: null, verdict: "fail", reason: /migration cancelled/ },
    { name: "completed without figures", status: "completed", totalTimeMs: null, downtimeMs: null, verdict: "fail", reason: /no total time or downtime/ },
  ] as const)("$name", ({ status, totalTimeMs, downtimeMs, verdict, reason }) => {
    const judged = judgeMigration({ status, totalTimeMs, downtimeMs });
    expect(judged.verdict).toBe(verdict);
    expect(judged.reason).toMatch(reason);
  });
});
