/**
 * The Go agent's JSON text and hashes against the TypeScript ones: a few thousand fast-check values
 * (seeded, so a failure reproduces) go through jsonx (a test-only Go helper,
 * agent/native/internal/jsonx/testdata/crosscheck) and through server/contract/canonical.ts; random
 * byte strings go through jsonx.DecodeUTF8 and Buffer.toString("utf8").
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalJson, contentHash, sectionHash } from "@/server/contract/canonical";

const NATIVE = import.meta.dirname;
let dir = "";
let helper = "";

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nfvdeck-jsonx-"));
  helper = path.join(dir, "crosscheck");
  try {
    execFileSync("go", ["build", "-o", helper, "./internal/jsonx/testdata/crosscheck"], { cwd: NATIVE, stdio: "pipe", timeout: 240_000 });
  } catch (e) {
    throw new Error(`cannot build the Go helper (go from Debian's golang-go: npm test provisions it): ${e instanceof Error ? e.message : String(e)}`);
  }
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };
type Tagged = null | boolean | { n: string } | { s: string } | { a: Tagged[] } | { o: Record<string, Tagged> };

function bitsOf(n: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n);
  return b.toString("hex");
}

function tag(v: Plain): Tagged {
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "number") return { n: bitsOf(v) };
  if (typeof v === "string") return { s: v };
  if (Array.isArray(v)) return { a: v.map(tag) };
  return { o: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)])) };
}

interface Answer {
  json?: string;
  content?: string;
  irq?: string;
  hugepages?: string;
  text?: string;
  error?: string;
}

function askGo(lines: unknown[]): Answer[] {
  const out = execFileSync(helper, [], { input: lines.map((l) => JSON.stringify(l)).join("\n") + "\n", maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  return out.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Answer);
}

const special = fc.constantFrom(-0, 0, 5e-324, -5e-324, 1e21, 9.999999999999999e20, 1e-7, 1e-6, 9.99e-7, 123e-20, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 0.1, 0.3, 1 / 3, -1e-7, 1e300 * 10, -1e300 * 10, Number.NaN, 4294967295, 100, 1e6);
const number = fc.oneof(fc.double(), fc.integer(), fc.double({ min: -1e-5, max: 1e-5 }), fc.double({ min: 1e15, max: 1e25 }), special, fc.integer({ min: -1000, max: 1000 }).map((i) => i / 8));
const tricky = fc.constantFrom("\u2028", "\u2029", '"', "\\", "\u0000", "\u001f", "\u007f", "\u0080", "😀", "é", "\ud7ff", "\ue000", "\uffff", "a", "\n", "\t", "\b", "\f", "\r", "/", "<", "\u00ad", "\ufeff", "𝄞");
// a Go string holds no lone surrogate (DecodeUTF8 never makes one): only well-formed text is compared
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);
const text = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: "grapheme", maxLength: 8 }), fc.string({ unit: tricky, maxLength: 8 }), fc.string({ unit: "binary", maxLength: 8 }).filter(wellFormed));
// "__proto__" is left out: canonical.ts's sortKeys assigns it as a prototype, not a key (see the report)
const key = fc.oneof(text, fc.nat({ max: 5000 }).map(String), fc.constantFrom("10", "9", "01", "4294967294", "4294967295", "-1", "1.5", "total", "free", "resv", "surplus", "", "😀", "\uffff")).filter((k) => k !== "__proto__");
const { value } = fc.letrec<{ value: Plain }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    number,
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(key, tie("value"), { maxKeys: 6, noNullPrototype: true }),
  ),
}));

describe("jsonx against canonical.ts (fast-check, seed 20261202)", () => {
  it("Marshal, ContentHash and SectionHash agree on 3,000 generated values", () => {
    const values = fc.sample(value, { seed: 20261202, numRuns: 3000 });
    // every value also sits inside an irq- and a hugepages-like object, so the volatile keys are met
    const inputs: Plain[] = values.map((v, i) => (i % 3 === 0 ? { irqs: [{ irq: i, total: v, name: "x" }], free: v, nested: { resv: v, keep: v } } : v));
    const answers = askGo(inputs.map((v) => ({ v: tag(v) })));
    expect(answers).toHaveLength(inputs.length);
    const differ: string[] = [];
    inputs.forEach((v, i) => {
      const a = answers[i] ?? {};
      const ts = { json: Buffer.from(canonicalJson(v), "utf8").toString("hex"), content: contentHash(v), irq: sectionHash("irq", v), hugepages: sectionHash("hugepages", v) };
      const go = { json: a.json, content: a.content, irq: a.irq, hugepages: a.hugepages };
      if (JSON.stringify(go) !== JSON.stringify(ts) && differ.length < 5) {
        differ.push(`${canonicalJson(v).slice(0, 300)}\n  Go: ${Buffer.from(a.json ?? "", "hex").toString("utf8").slice(0, 300)}${a.error ? ` (${a.error})` : ""}`);
      }
    });
    expect(differ).toEqual([]);
  });

  it("DecodeUTF8 agrees with Buffer.toString('utf8') on 3,000 random byte strings", () => {
    const lead = fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x80, 0xbf);
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), lead, fc.integer({ min: 0x80, max: 0xbf }));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.array(byte, { maxLength: 16 }).map((b) => Uint8Array.from(b)));
    const samples = fc.sample(bytes, { seed: 20261203, numRuns: 3000 });
    const answers = askGo(samples.map((b) => ({ bytes: Buffer.from(b).toString("hex") })));
    const differ = samples
      .map((b, i) => ({ b: Buffer.from(b).toString("hex"), ts: Buffer.from(Buffer.from(b).toString("utf8"), "utf8").toString("hex"), go: answers[i]?.text }))
      .filter((c) => c.ts !== c.go);
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
