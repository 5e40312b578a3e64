import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sectionView } from "@/server/domain/hosts/section-view";

const schema = z.object({ release: z.string() }).strict();
const at = new Date("2026-11-22T00:00:00Z");

describe("sectionView", () => {
  it.each([
    ["never reported", undefined, "missing"],
    ["collector failed", { ok: false, available: true, error: "EIO", data: null, collectedAt: at }, "error"],
    ["source absent", { ok: true, available: false, error: null, data: null, collectedAt: at }, "unavailable"],
    ["older shape", { ok: true, available: true, error: null, data: { release: 5 }, collectedAt: at }, "invalid"],
    ["extra keys", { ok: true, available: true, error: null, data: { release: "x", extra: 1 }, collectedAt: at }, "invalid"],
    ["not an object", { ok: true, available: true, error: null, data: "garbage", collectedAt: at }, "invalid"],
    ["valid", { ok: true, available: true, error: null, data: { release: "6.1.0" }, collectedAt: at }, "ok"],
  ] as const)("%s → %s", (_name, row, state) => {
    const view = sectionView(schema, row);
    expect(view.state).toBe(state);
    if (view.state === "ok") expect(view.data).toEqual({ release: "6.1.0" });
    if (view.state === "error") expect(view.error).toBe("EIO");
    if (view.state === "invalid") expect(view.error).toMatch(/does not match/);
  });
});
