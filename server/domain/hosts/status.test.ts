import { describe, expect, it } from "vitest";
import { deriveHostStatus } from "./status";

const now = new Date("2026-11-22T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe("deriveHostStatus", () => {
  it.each([
    [null, 10, "offline"],
    [ago(0), 10, "online"],
    [ago(30), 10, "online"],
    [ago(31), 10, "stale"],
    [ago(300), 10, "stale"],
    [ago(301), 10, "offline"],
    [ago(1700), 60, "stale"],
    [ago(1801), 60, "offline"],
  ] as const)("last seen %s, heartbeat %ss → %s", (seen, hb, want) => {
    expect(deriveHostStatus(seen, now, hb)).toBe(want);
  });
});
