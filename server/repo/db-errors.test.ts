import { describe, expect, it } from "vitest";
import { isDeadlock } from "@/server/repo/db-errors";

describe("isDeadlock", () => {
  it("sees PostgreSQL's 40P01 through adapter-pg's wrapping (the shape the demo's first start logged), and nothing else", () => {
    const adapterError = Object.assign(new Error("deadlock detected"), {
      name: "DriverAdapterError",
      cause: { originalCode: "40P01", kind: "postgres", code: "40P01", message: "deadlock detected" },
    });
    expect(isDeadlock(adapterError)).toBe(true);
    expect(isDeadlock({ code: "P2034", message: "Transaction failed due to a write conflict or a deadlock" })).toBe(true);
    expect(isDeadlock(Object.assign(new Error("duplicate key value violates unique constraint"), { cause: { code: "23505" } }))).toBe(false);
    expect(isDeadlock(null)).toBe(false);
  });
});
