import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MUTATIONS_FILE, SCHEMA_FILE, mutationsText, sectionsSchemaText } from "./schema-gen";

describe("the Go agent's section schema", () => {
  it("sections.schema.json is what z.toJSONSchema makes of the contract now (regenerate: npx tsx agent/native/schema-gen.ts)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(sectionsSchemaText());
  });

  it("testdata/mutations.json holds zod's issues for the golden envelopes as they are now", () => {
    expect(readFileSync(MUTATIONS_FILE, "utf8")).toBe(mutationsText());
  });
});
