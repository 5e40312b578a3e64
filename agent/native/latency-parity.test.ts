import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PARITY_FILE, parityText } from "./latency-parity";

describe("Go latency parity file", () => {
  it("is what the TypeScript parsers produce now (regenerate: npx tsx agent/native/latency-parity.ts)", () => {
    expect(readFileSync(PARITY_FILE, "utf8")).toBe(parityText());
  });
});
