import { describe, expect, it } from "vitest";
import { formatAbsoluteTime, formatKb, formatRelativeTime, orDash } from "@/app/_components/format";

const now = new Date("2026-11-22T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe("formatRelativeTime", () => {
  it.each([
    [null, "never"],
    [ago(2), "just now"],
    [ago(42), "42 s ago"],
    [ago(59), "59 s ago"],
    [ago(60), "1 min ago"],
    [ago(180), "3 min ago"],
    [ago(7200), "2 h ago"],
    [ago(86400 * 3), "3 d ago"],
    [ago(86400 * 400), "13 mo ago"],
    [ago(-120), "in 2 min"],
  ] as const)("%s → %s", (date, text) => {
    expect(formatRelativeTime(date, now)).toBe(text);
  });
});

describe("format helpers", () => {
  it.each([
    [null, "—"],
    [32, "32 KiB"],
    [256, "256 KiB"],
    [1024, "1 MiB"],
    [1280, "1.3 MiB"],
    [46080, "45 MiB"],
    [1048576, "1 GiB"],
  ] as const)("formatKb(%s) = %s", (kb, text) => {
    expect(formatKb(kb)).toBe(text);
  });

  it("absolute time is UTC without milliseconds", () => {
    expect(formatAbsoluteTime(new Date("2026-11-22T10:11:12.345Z"))).toBe("2026-11-22 10:11:12 UTC");
    expect(formatAbsoluteTime(null)).toBe("never reported");
  });

  it.each([[null, "—"], [undefined, "—"], ["", "—"], [0, "0"], ["x", "x"]] as const)("orDash(%j)", (v, text) => {
    expect(orDash(v)).toBe(text);
  });
});
