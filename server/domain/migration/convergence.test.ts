import { describe, expect, it } from "vitest";
import { assessConvergence, nextDowntimeLimitMs, passPeaks, type ConvergenceSample } from "@/server/domain/migration/convergence";

const MiB = 1024 * 1024;
// 268.4 megabits/s = 32 MiB/s
const MBPS_32MIB = (32 * MiB * 8) / 1_000_000;

/** A synthetic series: per pass, samples draining from `peak` MiB at 32 MiB/s, one every 200 ms. */
function series(peaksMib: number[], options: { firstPassMib?: number; expected?: (remaining: number) => number | null } = {}): ConvergenceSample[] {
  const out: ConvergenceSample[] = [{ status: "setup", pass: null, remainingBytes: null, expectedDowntimeMs: null, mbps: null }];
  const bulk = (options.firstPassMib ?? 256) * MiB;
  for (let r = bulk; r > 0; r -= 6.4 * MiB) out.push({ status: "active", pass: 1, remainingBytes: r, expectedDowntimeMs: 10, mbps: MBPS_32MIB });
  peaksMib.forEach((peakMib, i) => {
    for (let r = peakMib * MiB; r > 0.1 * MiB; r -= 6.4 * MiB) {
      const expected = options.expected ? options.expected(r) : (r / (32 * MiB)) * 1000;
      out.push({ status: "active", pass: i + 2, remainingBytes: r, expectedDowntimeMs: expected, mbps: MBPS_32MIB });
    }
  });
  return out;
}

describe("passPeaks", () => {
  it("ignores the bulk pass, setup samples and samples without figures, and keeps each pass's peak", () => {
    const peaks = passPeaks([...series([96, 95]), { status: "active", pass: 4, remainingBytes: null, expectedDowntimeMs: null, mbps: null }]);
    expect(peaks.map((p) => [p.pass, p.peakRemainingBytes / MiB])).toEqual([
      [2, 96],
      [3, 95],
    ]);
    expect(peaks[0]?.expectedDowntimeMs).toBeCloseTo(3000, 0);
  });

  it("counts only passes after `afterPass`", () => {
    expect(passPeaks(series([96, 95, 94]), 3).map((p) => p.pass)).toEqual([4]);
  });

  it("empty and truncated series give no peaks", () => {
    expect(passPeaks([])).toEqual([]);
    expect(passPeaks(series([]))).toEqual([]);
  });
});

describe("assessConvergence", () => {
  const opts = { downtimeLimitMs: 10, minPasses: 2 };

  it("undecided until two iterative passes were seen", () => {
    expect(assessConvergence([], opts).kind).toBe("undecided");
    expect(assessConvergence(series([]), opts).kind).toBe("undecided");
    expect(assessConvergence(series([96]), opts).kind).toBe("undecided");
  });

  it("a dirty set that does not shrink, far above the limit: not converging, with the reason", () => {
    const a = assessConvergence(series([96, 95]), opts);
    expect(a.kind).toBe("not-converging");
    if (a.kind !== "not-converging") return;
    expect(a.reason).toBe("3 passes, remaining not shrinking (96 MiB → 95 MiB), expected downtime 2969 ms vs limit 10 ms");
    expect(a.expectedDowntimeMs).toBeCloseTo(2968.75, 1);
  });

  it("a dirty set that halves each pass converges", () => {
    expect(assessConvergence(series([8, 4]), opts).kind).toBe("converging");
  });

  it("shrinking, but too slowly to reach the limit within a few passes: not converging", () => {
    const a = assessConvergence(series([96, 80]), opts);
    expect(a.kind).toBe("not-converging");
    if (a.kind === "not-converging") expect(a.reason).toMatch(/shrinking too slowly \(96 MiB → 80 MiB: \d+ more passes\)/);
  });

  it("close to the limit (≤ 2×): leave it to QEMU", () => {
    // 0.5 MiB at 32 MiB/s ≈ 15.6 ms vs a 10 ms limit
    expect(assessConvergence(series([0.5, 0.5]), opts).kind).toBe("converging");
    expect(assessConvergence(series([0.5, 0.5]), { ...opts, farFactor: 1 }).kind).toBe("not-converging");
  });

  it("uses QEMU's expected-downtime when it is higher than the peak says (and when mbps is missing)", () => {
    const noMbps = series([1, 1], { expected: () => 400 }).map((s) => ({ ...s, mbps: null }));
    const a = assessConvergence(noMbps, opts);
    expect(a.kind).toBe("not-converging");
    if (a.kind === "not-converging") expect(a.expectedDowntimeMs).toBe(400);
    const noFigures = series([1, 1], { expected: () => null }).map((s) => ({ ...s, mbps: null }));
    expect(assessConvergence(noFigures, opts).kind).toBe("undecided");
  });

  it("after a policy step, one later pass above the new limit is enough", () => {
    const s = series([16, 16, 16]);
    expect(assessConvergence(s, { downtimeLimitMs: 20, minPasses: 1, afterPass: 4 }).kind).toBe("undecided");
    const a = assessConvergence(s, { downtimeLimitMs: 20, minPasses: 1, afterPass: 3 });
    expect(a.kind).toBe("not-converging");
    if (a.kind === "not-converging") expect(a.reason).toBe("pass 4 still leaves 16 MiB: expected downtime 500 ms vs limit 20 ms");
    expect(assessConvergence(s, { downtimeLimitMs: 640, minPasses: 1, afterPass: 3 }).kind).toBe("converging");
  });

  it("samples outside the iterating states are ignored", () => {
    const s = series([96, 95]).map((x) => (x.pass === 3 ? { ...x, status: "postcopy-active" } : x));
    expect(assessConvergence(s, opts).kind).toBe("undecided");
  });
});

describe("nextDowntimeLimitMs (raise policy)", () => {
  it("doubles up to the cap, then stops", () => {
    const steps: number[] = [];
    for (let limit: number | null = 10; limit !== null; limit = nextDowntimeLimitMs(limit)) steps.push(limit);
    expect(steps).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2000]);
  });

  it("a limit already above the cap is not raised, and a custom cap is honoured", () => {
    expect(nextDowntimeLimitMs(5000)).toBeNull();
    expect(nextDowntimeLimitMs(100, 150)).toBe(150);
    expect(nextDowntimeLimitMs(150, 150)).toBeNull();
  });
});
