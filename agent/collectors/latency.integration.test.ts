/**
 * Truth check against the real tool: Debian rt-tests cyclictest runs for 3 s here (a VM: long tails), and
 * the parser must agree with cyclictest's own footer lines and with its --json of the same run.
 */
import { describe, expect, it } from "vitest";
import { runCyclictest, buildCyclictestArgs, cyclictestRequestSchema, CyclictestRunError, expandCpuList } from "./latency";
import { parseCyclictestText } from "@/server/domain/latency/cyclictest/text";
import { latencyRunSchema } from "@/server/contract/sections/latency";

function footer(text: string, label: string): number[] {
  const m = new RegExp(`^# ${label}:(.*)$`, "m").exec(text);
  if (!m) throw new Error(`cyclictest printed no '# ${label}:' line`);
  return (m[1] ?? "").trim().split(/\s+/).map(Number);
}

describe("real cyclictest", () => {
  it("builds the documented command line", () => {
    const args = buildCyclictestArgs(
      cyclictestRequestSchema.parse({ cpus: "2-3", housekeeping: "0-1", priority: 80, intervalUs: 1000, durationS: 3, histogramSize: 400 }),
      "/tmp/x.json",
    );
    expect(args.join(" ")).toBe("-q -p 80 -i 1000 -D 3s -h 400 -t 2 -a 2-3 --mainaffinity=0-1 -m --json=/tmp/x.json");
  });

  it("refuses a bad request before running anything; a missing binary is a clear error", async () => {
    expect(cyclictestRequestSchema.safeParse({ cpus: "1;rm -rf /", housekeeping: null, priority: 80, intervalUs: 1000, durationS: 1, histogramSize: 100 }).success).toBe(false);
    expect(cyclictestRequestSchema.safeParse({ cpus: "1", housekeeping: null, priority: 100, intervalUs: 1000, durationS: 1, histogramSize: 100 }).success).toBe(false);
    expect(expandCpuList("0-2,5,1")).toEqual([0, 1, 2, 5]);
    await expect(
      runCyclictest({ cpus: "0", housekeeping: null, priority: 80, intervalUs: 1000, durationS: 1, histogramSize: 100, binary: "/nonexistent/cyclictest" }),
    ).rejects.toThrow(CyclictestRunError);
  });

  it("-p 80 -i 1000 -t 2 -D 3s -h 400 -q: parser = footer = JSON, Σ buckets + overflows = cycles", async () => {
    const out = await runCyclictest({ cpus: "0,1", housekeeping: "0", priority: 80, intervalUs: 1000, durationS: 3, histogramSize: 400 });
    expect(out.json).not.toBeNull();
    const run = latencyRunSchema.parse(out.run);
    expect(run.threads).toHaveLength(2);
    expect(run.histogramSize).toBe(400);
    expect(run.toolVersion).toMatch(/^\d+\.\d+/);
    expect(run.threads.map((t) => t.cpu)).toEqual([0, 1]);

    // 1) text parser vs cyclictest's own footer lines
    const text = parseCyclictestText(out.text);
    expect(text.histogramSize).toBe(400);
    const mins = footer(out.text, "Min Latencies");
    const avgs = footer(out.text, "Avg Latencies");
    const maxs = footer(out.text, "Max Latencies");
    const ovfs = footer(out.text, "Histogram Overflows");
    expect(text.threads.map((t) => t.min)).toEqual(mins);
    expect(text.threads.map((t) => t.avg)).toEqual(avgs);
    expect(text.threads.map((t) => t.max)).toEqual(maxs);
    expect(text.threads.map((t) => t.overflows)).toEqual(ovfs);

    // 2) JSON of the same run (the runner's source) vs the footer and the text histogram
    const doc = JSON.parse(out.json ?? "{}") as { thread: Record<string, { cycles: number; min: number; max: number; avg: number }> };
    run.threads.forEach((t, i) => {
      const j = doc.thread[String(i)];
      if (!j) throw new Error(`no JSON thread ${i}`);
      expect(t.min).toBe(j.min);
      expect(t.max).toBe(j.max);
      expect(t.avg).toBe(j.avg);
      expect(t.cycles).toBe(j.cycles);
      expect(t.min).toBe(mins[i]);
      expect(t.max).toBe(maxs[i]);
      expect(Math.trunc(t.avg ?? -1)).toBe(avgs[i]);
      // Σ buckets + overflows = cycles, with cycles from the JSON and overflows from the text footer
      const sum = Object.values(t.histogram).reduce((a, b) => a + b, 0);
      expect(sum + (ovfs[i] ?? NaN)).toBe(j.cycles);
      const textThread = text.threads[i];
      expect(Object.fromEntries(textThread?.histogram ?? [])).toEqual(Object.fromEntries(Object.entries(t.histogram).map(([k, v]) => [Number(k), v])));
    });
    // Debian 2.4 prints '# Total:' (Σ buckets): Total + overflows = JSON cycles
    const totals = footer(out.text, "Total");
    run.threads.forEach((t, i) => expect((totals[i] ?? NaN) + (ovfs[i] ?? NaN)).toBe(t.cycles));
  }, 60_000);
});
