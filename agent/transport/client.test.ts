import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { isPlainJson, serializeTrpcInput } from "@/agent/transport/client";

const shared = { a: 1 };
const sparse: unknown[] = [];
sparse[2] = 1;

describe("serializeTrpcInput: exactly superjson's request body", () => {
  it.each([
    { name: "report-like plain JSON", input: { hostId: "h", sequence: 3, sections: { kvm: { ok: true, data: { x: [1, 2.5, null, "s"] } } }, latencyRuns: [] }, plain: true },
    { name: "null", input: null, plain: true },
    { name: "empty object", input: {}, plain: true },
    { name: "undefined member", input: { a: undefined, b: 1 }, plain: false },
    { name: "NaN", input: { a: Number.NaN }, plain: false },
    { name: "Infinity", input: [Number.POSITIVE_INFINITY], plain: false },
    { name: "-0", input: { a: -0 }, plain: false },
    { name: "Date", input: { at: new Date(0) }, plain: false },
    { name: "Map", input: { m: new Map([["k", 1]]) }, plain: false },
    { name: "bigint", input: { n: 10n }, plain: false },
    { name: "shared reference", input: { x: shared, y: shared }, plain: false },
    { name: "sparse array", input: { s: sparse }, plain: false },
    { name: "null-prototype object", input: Object.assign(Object.create(null) as object, { a: 1 }), plain: true },
  ])("$name", ({ input, plain }) => {
    expect(isPlainJson(input)).toBe(plain);
    expect(serializeTrpcInput(input)).toBe(JSON.stringify(superjson.serialize(input)));
  });

  it("a JSON.parse result (what the spool hands the sender) is always plain", () => {
    const text = JSON.stringify({ a: [1, { b: "c", d: null, e: true }], f: 1e300, g: -1.5 });
    expect(isPlainJson(JSON.parse(text))).toBe(true);
  });
});
