import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runParseCyclictest } from "./parse-cyclictest";

const FIX = path.join(import.meta.dirname, "..", "fixtures", "cyclictest");

async function run(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runParseCyclictest(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe("parse-cyclictest FILE --json", () => {
  it("prints the documented shape for a real --json file", async () => {
    const r = await run([path.join(FIX, "debian-2.4-h300.json"), "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as Record<string, unknown>;
    expect(s).toMatchObject({ unit: "us", buckets: 300 });
    expect(Object.keys(s.merged as object)).toEqual(expect.arrayContaining(["min", "max", "cycles", "overflows", "percentiles", "lowerBounds"]));
    expect(Object.keys((s.merged as { percentiles: object }).percentiles)).toEqual(["50", "99", "99.9", "99.99", "99.999"]);
    const threads = s.threads as Array<Record<string, unknown>>;
    expect(Object.keys(threads[0] ?? {})).toEqual(expect.arrayContaining(["thread", "min", "avg", "max", "cycles", "overflows"]));
  });

  it("text and JSON of the same run give the same merged numbers (except the avg precision)", async () => {
    const a = JSON.parse((await run([path.join(FIX, "debian-2.4-h300.json"), "--json"])).out) as { merged: Record<string, unknown> };
    const b = JSON.parse((await run([path.join(FIX, "debian-2.4-h300-stdout.txt"), "--json"])).out) as { merged: Record<string, unknown> };
    const { avg: _a, ...ma } = a.merged;
    const { avg: _b, ...mb } = b.merged;
    expect(ma).toEqual(mb);
  });

  it("a malformed file: exit 1 and the error names the line", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pct-"));
    const file = path.join(dir, "truncated.txt");
    writeFileSync(file, readFileSync(path.join(FIX, "debian-2.4-h300-stdout.txt"), "utf8").split("\n").slice(0, 50).join("\n"));
    const bad = await run([file, "--json"]);
    rmSync(dir, { recursive: true });
    expect(bad.code).toBe(1);
    expect(bad.out).toBe("");
    expect(bad.err).toMatch(/line 50: missing '# Min Latencies:'/);
  });

  it("usage errors exit 2", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["a", "--bogus"])).code).toBe(2);
  });
});
