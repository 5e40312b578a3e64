import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIRST_PASS_NS_PER_PAGE, firstPassWireBytes, predictMigration } from "@/server/domain/migration/prediction";

const MiB = 1024 * 1024;
const base = { downtimeLimitMs: 10, memoryBytes: 256 * MiB, sampleWindowMs: 1000 };

describe("predictMigration", () => {
  it("an idle guest converges in two passes with no downtime to speak of", () => {
    const p = predictMigration({ ...base, dirtyBytesPerS: 0, bandwidthBytesPerS: 128 * MiB });
    expect(p.converges).toBe(true);
    expect(p.predictedDowntimeMs).toBe(0);
    expect(p.predictedTotalMs).toBe(2000); // 256 MiB at 128 MiB/s: an upper bound (zero pages are nearly free)
    expect(p.message).toBe("dirty rate 0 B/s vs 128 MiB/s: converges at 10 ms in 2 passes, ≈ 2.0 s total (at most; 256 MiB first pass), downtime ≈ 0 ms");
  });

  it("with the non-zero part of RAM known, the first pass costs its pages plus a 9-byte header per zero page", () => {
    // Measured on QEMU 7.2 (TCG, idle 256 MiB, -nodefaults): 115 data pages + 65 555 zero pages, ram.transferred
    // 1 062 318 bytes, 3336 ms at max-bandwidth 300 000 B/s (the old model said 895 s).
    const nonZeroBytes = 115 * 4096;
    expect(firstPassWireBytes(256 * MiB, nonZeroBytes)).toBe(115 * 4104 + (65_536 - 115) * 9);
    expect(firstPassWireBytes(256 * MiB, null)).toBe(256 * MiB);
    const p = predictMigration({ ...base, downtimeLimitMs: 300, nonZeroBytes, dirtyBytesPerS: 0, bandwidthBytesPerS: 300_000 });
    expect(p.converges).toBe(true);
    expect(p.predictedTotalMs).toBe(Math.round((firstPassWireBytes(256 * MiB, nonZeroBytes) / 300_000) * 1000)); // 3536 ms
    expect(p.message).toBe("dirty rate 0 B/s vs 293 KiB/s: converges at 300 ms in 2 passes, ≈ 3.5 s total (1.0 MiB first pass, 460 KiB of 256 MiB non-zero), downtime ≈ 0 ms");
    // At 128 MiB/s the wire (≈ 8 ms) is not the limit: QEMU's walk of 65 536 pages is (measured 20-45 ms, 86 ms under load).
    const fast = predictMigration({ ...base, nonZeroBytes, dirtyBytesPerS: 0, bandwidthBytesPerS: 128 * MiB });
    expect(fast.predictedTotalMs).toBe(Math.round((65_536 * FIRST_PASS_NS_PER_PAGE) / 1e6)); // 20 ms
    // all of RAM non-zero is the old upper bound, give or take the headers
    const full = predictMigration({ ...base, nonZeroBytes: 256 * MiB, dirtyBytesPerS: 0, bandwidthBytesPerS: 128 * MiB });
    expect(full.predictedTotalMs).toBe(2004);
  });

  it("the non-zero estimate does not change the verdict of a dirtying guest", () => {
    for (const nonZeroBytes of [null, 0, 96 * MiB]) {
      const p = predictMigration({ ...base, nonZeroBytes, dirtyBytesPerS: 96 * MiB, bandwidthBytesPerS: 32 * MiB });
      expect(p.converges).toBe(false);
      expect(p.predictedDowntimeMs).toBe(3000);
    }
  });

  it("the issue's example: 96 MiB/s dirtied vs 32 MiB/s will not converge at 10 ms", () => {
    const p = predictMigration({ ...base, dirtyBytesPerS: 96 * MiB, bandwidthBytesPerS: 32 * MiB });
    expect(p.converges).toBe(false);
    expect(p.predictedTotalMs).toBeNull();
    expect(p.predictedDowntimeMs).toBe(3000);
    expect(p.message).toBe("dirty rate 96 MiB/s vs 32 MiB/s: will not converge at 10 ms (96 MiB dirtied per 1.0 s needs ≈ 3.0 s of downtime)");
  });

  it("a dirty rate below the bandwidth still does not converge when a window's worth exceeds the limit (hot working set)", () => {
    // Measured on QEMU 7.2: a guest looping over 16 MiB samples at 14 MiB/s, and each 0.5 s pass at 32 MiB/s left 13 MiB.
    const p = predictMigration({ ...base, dirtyBytesPerS: 14 * MiB, bandwidthBytesPerS: 32 * MiB });
    expect(p.converges).toBe(false);
    expect(p.predictedDowntimeMs).toBeCloseTo(437.5, 1);
    // The same guest with a 640 ms limit fits.
    const raised = predictMigration({ ...base, downtimeLimitMs: 640, dirtyBytesPerS: 14 * MiB, bandwidthBytesPerS: 32 * MiB });
    expect(raised.converges).toBe(true);
    expect(raised.predictedDowntimeMs).toBeCloseTo(437.5, 1);
  });

  it("a trickle of dirtying that fits in the limit converges, and takes longer than the idle case", () => {
    const idle = predictMigration({ ...base, dirtyBytesPerS: 0, bandwidthBytesPerS: 32 * MiB });
    const p = predictMigration({ ...base, dirtyBytesPerS: 0.25 * MiB, bandwidthBytesPerS: 32 * MiB });
    expect(p.converges).toBe(true);
    expect(p.predictedTotalMs).toBeGreaterThan(idle.predictedTotalMs ?? Infinity);
    expect(p.predictedDowntimeMs).toBeLessThanOrEqual(10);
  });

  it("no bandwidth: will not converge", () => {
    const p = predictMigration({ ...base, dirtyBytesPerS: 0, bandwidthBytesPerS: 0 });
    expect(p.converges).toBe(false);
    expect(p.message).toMatch(/no bandwidth/);
  });

  it("properties: it converges exactly when a window's dirtying (or all of RAM) fits in the limit, and then within it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2048 * MiB }),
        fc.integer({ min: 1, max: 2048 * MiB }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 1024 }).map((m) => m * MiB),
        (dirty, bandwidth, limitMs, memoryBytes) => {
          const p = predictMigration({ dirtyBytesPerS: dirty, bandwidthBytesPerS: bandwidth, downtimeLimitMs: limitMs, memoryBytes, sampleWindowMs: 1000 });
          const threshold = (bandwidth * limitMs) / 1000;
          const fits = memoryBytes <= threshold || (dirty < bandwidth && Math.min(memoryBytes, dirty) <= threshold);
          // Geometric shrinking with D close to B can need more passes than the model allows: only check the clear cases.
          if (!fits) expect(p.converges).toBe(false);
          if (p.converges) {
            expect(p.predictedDowntimeMs).not.toBeNull();
            expect(p.predictedDowntimeMs ?? Infinity).toBeLessThanOrEqual(limitMs + 0.05);
            expect(p.predictedTotalMs).not.toBeNull();
          } else {
            expect(p.predictedTotalMs).toBeNull();
            expect(p.message).toContain(`will not converge at ${limitMs} ms`);
          }
          if (dirty === 0 || memoryBytes <= threshold) expect(p.converges).toBe(true);
        },
      ),
    );
  });
});
