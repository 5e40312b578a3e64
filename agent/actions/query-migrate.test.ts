import { describe, expect, it } from "vitest";
import { parseQueryMigrate, toProgress } from "@/agent/actions/query-migrate";

// Verbatim replies of QEMU 7.2.22 (Debian) to query-migrate: mid-way at 32 MiB/s with a dirtying guest, after a cancel,
// and after completion (idle guest).
const ACTIVE = {"expected-downtime": 3478, "status": "active", "setup-time": 21, "total-time": 3969, "ram": {"total": 268967936, "postcopy-requests": 0, "dirty-sync-count": 2, "multifd-bytes": 0, "pages-per-second": 7051, "downtime-bytes": 0, "page-size": 4096, "remaining": 85594112, "postcopy-bytes": 0, "mbps": 231.52344827586205, "transferred": 116787389, "dirty-sync-missed-zero-copy": 0, "precopy-bytes": 116787389, "duplicate": 40978, "dirty-pages-rate": 7049, "skipped": 0, "normal-bytes": 116191232, "normal": 28367}};
const CANCELLED = { status: "cancelled" };

describe("query-migrate parsing", () => {
  it("an active migration: QEMU's units become the contract's (pages/s × page-size = bytes/s)", () => {
    const p = toProgress(parseQueryMigrate(ACTIVE), 3969, null);
    expect(p).toEqual({
      type: "progress",
      status: "active",
      elapsedMs: 3969,
      remainingBytes: 85594112,
      transferredBytes: 116787389,
      totalBytes: 268967936,
      mbps: 231.52344827586205,
      dirtyPagesRate: 7049,
      dirtyBytesPerS: 7049 * 4096,
      expectedDowntimeMs: 3478,
      pass: 2,
    });
  });

  it("after a cancel QEMU keeps only the status; the last MIGRATION_PASS stands in for the pass", () => {
    const p = toProgress(parseQueryMigrate(CANCELLED), 5000, 3);
    expect(p).toMatchObject({ status: "cancelled", remainingBytes: null, transferredBytes: null, mbps: null, dirtyBytesPerS: null, expectedDowntimeMs: null, pass: 3 });
  });

  it("no migration yet: an empty reply means status none", () => {
    expect(parseQueryMigrate({}).status).toBe("none");
    expect(parseQueryMigrate(undefined).status).toBe("none");
  });

  it("an old QEMU without page-size: x86's 4 KiB pages", () => {
    const { "page-size": _drop, ...ram } = ACTIVE.ram;
    expect(toProgress(parseQueryMigrate({ ...ACTIVE, ram }), 1, null).dirtyBytesPerS).toBe(7049 * 4096);
  });

  it("malformed replies are refused at the edge", () => {
    expect(() => parseQueryMigrate({ status: 3 })).toThrow();
    expect(() => parseQueryMigrate({ status: "active", ram: { transferred: "lots" } })).toThrow();
  });
});
