import { describe, expect, it } from "vitest";
import { z } from "zod";
import { acceptedOnce, acceptedSectionCount, acceptedSectionText } from "./accepted-sections";
import { sectionHash } from "./canonical";

describe("acceptedOnce", () => {
  const inner = z.object({ cpus: z.number().int().nonnegative(), model: z.string().max(8), flags: z.array(z.string()) }).strict();

  function counted() {
    let parses = 0;
    const schema = z.unknown().superRefine(() => void parses++).pipe(inner);
    return { schema: acceptedOnce("topology", schema), parses: () => parses };
  }

  it("parses a value once; the same JSON text is accepted again without parsing, as the same value", () => {
    const { schema, parses } = counted();
    const a = schema.parse({ cpus: 4, model: "EPYC", flags: ["a"] });
    expect(parses()).toBe(1);
    const again = { cpus: 4, model: "EPYC", flags: ["a"] };
    const b = schema.parse(again);
    expect(parses()).toBe(1);
    expect(b).toEqual(a);
    expect(acceptedSectionText(b)).toEqual({ json: JSON.stringify(again), hash: sectionHash("topology", again) });
    // different content, or the same content in another section, is parsed
    schema.parse({ cpus: 5, model: "EPYC", flags: ["a"] });
    expect(parses()).toBe(2);
    acceptedOnce("kernel", inner).parse({ cpus: 4, model: "EPYC", flags: ["a"] });
    expect(acceptedSectionCount()).toBeGreaterThanOrEqual(3);
  });

  it("refuses exactly as the schema does, at the same paths, every time", () => {
    const { schema, parses } = counted();
    const wrapped = z.object({ data: schema });
    const plain = z.object({ data: inner });
    for (const bad of [{ cpus: -1, model: "x", flags: [] }, { cpus: 1, model: "much too long", flags: [3] }, { cpus: 1, model: "x", flags: [], extra: 1 }, "text", 7]) {
      for (let i = 0; i < 2; i++) {
        const got = wrapped.safeParse({ data: bad });
        const want = plain.safeParse({ data: bad });
        expect(got.success).toBe(false);
        expect(got.error?.issues.map((x) => [x.path.join("."), x.message])).toEqual(want.error?.issues.map((x) => [x.path.join("."), x.message]));
      }
    }
    // a refusal is never remembered: each of the 5 values was parsed both times
    expect(parses()).toBe(10);
  });

  it("never remembers a value that is not plain JSON, nor one the schema changed", () => {
    const { schema, parses } = counted();
    class Box {
      cpus = 1;
      model = "m";
      flags: string[] = [];
    }
    // zod accepts a class instance with the right fields; its JSON text is not a faithful key, so it is parsed each time
    expect(schema.safeParse(new Box()).success).toBe(true);
    expect(acceptedSectionText(schema.parse(new Box()))).toBeNull();
    expect(parses()).toBe(2);
    // Infinity serialises as null: such a value must be parsed (and refused) each time
    expect(schema.safeParse({ cpus: Infinity, model: "m", flags: [] }).success).toBe(false);
    expect(schema.safeParse({ cpus: Infinity, model: "m", flags: [] }).success).toBe(false);
    expect(parses()).toBe(4);
    const stripping = acceptedOnce("power", z.object({ a: z.number() }));
    expect(stripping.parse({ a: 1, b: 2 })).toEqual({ a: 1 });
    // not remembered: the input's text is not the output's
    expect(acceptedSectionText(stripping.parse({ a: 1, b: 2 }))).toBeNull();
  });
});
