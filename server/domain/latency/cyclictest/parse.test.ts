import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCyclictestCmdline } from "./cmdline";
import { parseCyclictestJson, sanitizeCyclictestJson } from "./json";
import { parseCyclictest, summarizeCyclictest } from "./parse";
import { CyclictestParseError, type CyclictestResult } from "./result";
import { parseCyclictestText } from "./text";
import { toHistogramRecord } from "@/server/domain/latency/histogram";

const FIX = path.join(import.meta.dirname, "../../../../agent/fixtures/cyclictest");
const fixture = (name: string) => readFileSync(path.join(FIX, name), "utf8");

/** Footer values read independently of the parser, by plain regex on the file. */
function footer(text: string, label: string): number[] {
  const m = new RegExp(`^# ${label}:(.*)$`, "m").exec(text);
  if (!m) throw new Error(`no ${label}`);
  return (m[1] ?? "").trim().split(/\s+/).map(Number);
}

function errorOf(fn: () => unknown): CyclictestParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CyclictestParseError) return e;
    throw e;
  }
  throw new Error("expected a CyclictestParseError");
}

describe("text ≤ 2.6 generation (real Debian 2.4 output)", () => {
  for (const name of ["debian-2.4-h400.txt", "debian-2.4-H250.txt", "debian-2.4-h300-stdout.txt", "debian-2.4-one-cycle-stdout.txt"]) {
    it(name, () => {
      const text = fixture(name);
      const r = parseCyclictestText(text);
      expect(r.format).toBe("text-full");
      expect(r.histogramSizeSource).toBe("rows");
      const rows = text.split("\n").filter((l) => /^\d{6} /.test(l)).length;
      expect(r.histogramSize).toBe(rows);
      const mins = footer(text, "Min Latencies");
      const total = footer(text, "Total");
      const ovf = footer(text, "Histogram Overflows");
      expect(r.threads.map((t) => t.min)).toEqual(mins);
      expect(r.threads.map((t) => t.avg)).toEqual(footer(text, "Avg Latencies"));
      expect(r.threads.map((t) => t.max)).toEqual(footer(text, "Max Latencies").slice(0, mins.length));
      r.threads.forEach((t, i) => {
        expect(t.overflows).toBe(ovf[i]);
        // ≤ 2.6: Total is Σ buckets, so cycles = Total + overflows
        expect(t.cycles).toBe((total[i] ?? 0) + (ovf[i] ?? 0));
      });
    });
  }

  it("-H adds a sum column that is checked and not taken for a thread", () => {
    const r = parseCyclictestText(fixture("debian-2.4-H250.txt"));
    expect(r.threads).toHaveLength(2);
  });
});

describe("text ≥ 2.7 generation (reconstructed from the real runs by dropping empty rows and # Total:)", () => {
  for (const [sparse, full] of [
    ["reconstructed-2.7-sparse-h400.txt", "debian-2.4-h400.txt"],
    ["reconstructed-2.7-sparse-H250.txt", "debian-2.4-H250.txt"],
  ] as const) {
    it(`${sparse} equals ${full} except for the size`, () => {
      const s = parseCyclictestText(fixture(sparse));
      const f = parseCyclictestText(fixture(full));
      expect(s.format).toBe("text-sparse");
      expect(s.histogramSizeSource).toBe("max-bucket");
      expect(s.histogramSize).toBeLessThanOrEqual(f.histogramSize);
      expect(s.threads.map((t) => ({ ...t, histogram: toHistogramRecord(t.histogram) }))).toEqual(
        f.threads.map((t) => ({ ...t, histogram: toHistogramRecord(t.histogram) })),
      );
      const withCmd = parseCyclictestText(fixture(sparse), { cmdline: `cyclictest -q -h ${f.histogramSize}` });
      expect(withCmd.histogramSize).toBe(f.histogramSize);
      expect(withCmd.histogramSizeSource).toBe("cmdline");
    });
  }
});

describe("--json (real Debian 2.4, rt_test_version 2.40)", () => {
  it("same run: JSON and text agree (histogram, min, max, cycles; text avg is the truncated JSON avg)", () => {
    const j = parseCyclictestJson(fixture("debian-2.4-h300.json"));
    const t = parseCyclictestText(fixture("debian-2.4-h300-stdout.txt"));
    expect(j.format).toBe("json");
    expect(j.toolVersion).toBe("2.40");
    expect(j.histogramSize).toBe(300);
    expect(j.histogramSizeSource).toBe("cmdline");
    expect(j.cmdline).toMatch(/^cyclictest /);
    expect(j.threads.map((x) => x.cpu)).toEqual([0, 1]);
    for (let i = 0; i < 2; i++) {
      const a = j.threads[i];
      const b = t.threads[i];
      if (!a || !b) throw new Error("thread missing");
      expect(toHistogramRecord(a.histogram)).toEqual(toHistogramRecord(b.histogram));
      expect(a.min).toBe(b.min);
      expect(a.max).toBe(b.max);
      expect(a.cycles).toBe(b.cycles);
      expect(a.overflows).toBe(b.overflows);
      expect(Math.trunc(a.avg ?? -1)).toBe(b.avg);
    }
  });

  it("-N: resolution_in_ns → unit ns", () => {
    const j = parseCyclictestJson(fixture("debian-2.4-N-h400.json"));
    expect(j.unit).toBe("ns");
    const t = parseCyclictestText(fixture("debian-2.4-N-h400-stdout.txt"), { cmdline: j.cmdline ?? "" });
    expect(t.unit).toBe("ns");
    expect(t.threads[0]?.max).toBe(j.threads[0]?.max);
  });

  it("nan avg (cycles = 0, %.2f of 0/0) still parses", () => {
    const text = `{\n  "cmdline:": "cyclictest -h 50 -q --json=x",\n  "rt_test_version:": "2.40",\n  "resolution_in_ns": 0,\n  "thread": {\n    "0": {\n      "histogram": {      },\n      "cycles": 0,\n      "min": 1000000,\n      "max": 0,\n      "avg": -nan,\n      "cpu": -1,\n      "node": 0\n    },\n    "1": {\n      "histogram": { "3": 2 },\n      "cycles": 2,\n      "min": 3,\n      "max": 3,\n      "avg": nan,\n      "cpu": 1,\n      "node": 0\n    }\n  }\n}\n`;
    const r = parseCyclictestJson(text);
    expect(r.threads[0]).toMatchObject({ cycles: 0, min: null, avg: null, max: null, cpu: null, overflows: 0 });
    expect(r.threads[1]).toMatchObject({ cycles: 2, min: 3, avg: null, max: 3, cpu: 1, overflows: 0 });
  });

  it("sanitizer leaves strings alone", () => {
    expect(sanitizeCyclictestJson('{"a":"nan inf","b":nan,"c":-inf,"d":-nan}')).toBe('{"a":"nan inf","b":null,"c":null,"d":null}');
  });
});

describe("malformed input names the line", () => {
  const full = fixture("debian-2.4-h400.txt");
  const lines = full.split("\n");
  const cases: Array<{ name: string; text: string; line: number | null; msg: RegExp }> = [
    { name: "empty", text: "", line: null, msg: /empty/ },
    { name: "not cyclictest", text: "hello\nworld\n", line: null, msg: /# Histogram/ },
    {
      name: "truncated in the histogram",
      text: lines.slice(0, 100).join("\n"),
      line: 100,
      msg: /missing '# Min Latencies:'/,
    },
    {
      name: "garbage row",
      text: [...lines.slice(0, 10), "000008 00x000\t000000", ...lines.slice(10)].join("\n"),
      line: 11,
      msg: /not a histogram row/,
    },
    {
      name: "buckets out of order",
      text: [...lines.slice(0, 10), "000003 000000\t000000", ...lines.slice(10)].join("\n"),
      line: 11,
      msg: /does not follow/,
    },
    {
      name: "wrong column count",
      text: lines.map((l, i) => (i === 20 ? `${l}\t000001\t000009` : l)).join("\n"),
      line: 21,
      msg: /4 counts for 2 threads/,
    },
    {
      name: "Total disagrees with buckets",
      text: full.replace(/^# Total: (\d+)/m, (_m, n: string) => `# Total: ${Number(n) + 1}`),
      line: lines.findIndex((l) => l.startsWith("# Total:")) + 1,
      msg: /Total/,
    },
    {
      name: "non-numeric footer",
      text: full.replace(/^# Max Latencies: (\d+)/m, "# Max Latencies: abc"),
      line: lines.findIndex((l) => l.startsWith("# Max Latencies:")) + 1,
      msg: /'abc' is not a number/,
    },
    {
      name: "bad JSON",
      text: '{\n  "thread": {\n    "0": { "cycles": 1,, }\n  }\n}\n',
      line: 3,
      msg: /invalid JSON/,
    },
    {
      name: "JSON histogram exceeds cycles",
      text: '{\n "cmdline:": "cyclictest -h 10",\n "thread": {\n  "0": { "histogram": {"1": 5}, "cycles": 3, "min": 1, "max": 1, "avg": 1.0, "cpu": 0 }\n }\n}\n',
      line: 4,
      msg: /exceed cycles/,
    },
    {
      name: "JSON without histogram",
      text: '{\n "thread": {\n  "0": { "cycles": 3, "min": 1, "max": 1, "avg": 1.0, "cpu": 0 }\n }\n}\n',
      line: 3,
      msg: /-h N/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = errorOf(() => parseCyclictest(c.text));
      expect(e.message).toMatch(c.msg);
      expect(e.line).toBe(c.line);
      if (c.line !== null) expect(e.message).toMatch(new RegExp(`^line ${c.line}:`));
    });
  }
});

describe("hand-made text edge cases", () => {
  it("widths are minimums: 7-digit counts and buckets parse", () => {
    const text = [
      "# Histogram",
      "0000005 1234567 0000001",
      "1000000 0000001 0000000",
      "# Min Latencies: 00005 00005",
      "# Avg Latencies: 00005 00005",
      "# Max Latencies: 1234567 00005",
      "# Histogram Overflows: 00002 00000",
      "# Histogram Overflow at cycle number:",
      "# Thread 0: 00010 00011",
      "# Thread 1:",
      "",
    ].join("\n");
    const r = parseCyclictestText(text, { histogramSize: 1000001 });
    expect(r.threads[0]?.cycles).toBe(1234567 + 1 + 2);
    expect(r.threads[0]?.max).toBe(1234567);
  });

  it("overflow list with '# NNNNN others' is accepted, a malformed tail is not", () => {
    const base = ["# Histogram", "000001 000003", "# Min Latencies: 00001", "# Avg Latencies: 00001", "# Max Latencies: 00900", "# Histogram Overflows: 00040", "# Histogram Overflow at cycle number:"];
    expect(parseCyclictestText([...base, "# Thread 0: 00001 00002 # 00038 others"].join("\n")).threads[0]?.cycles).toBe(43);
    expect(errorOf(() => parseCyclictestText([...base, "# Thread 0: 00001 # lots"].join("\n"))).line).toBe(8);
  });

  it("-H sum column must equal the thread sum", () => {
    const text = ["# Histogram", "000001 000003\t000001\t000005", "# Min Latencies: 00001 00001", "# Avg Latencies: 00001 00001", "# Max Latencies: 00001 00001 00001", "# Histogram Overflows: 00000 00000 00000"].join("\n");
    const e = errorOf(() => parseCyclictestText(text));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/sum column/);
  });

  it("≥ 2.7 -H with one thread (sum column always printed) and CRLF line ends", () => {
    const text = ["# Histogram", "000004 000010\t000010", "000009 000001\t000001", "# Min Latencies: 00004", "# Avg Latencies: 00004", "# Max Latencies: 00012", "# Histogram Overflows: 00001", "# Histogram Overflow at cycle number:", "# Thread 0: 00007", ""].join("\r\n");
    const r = parseCyclictestText(text, { unit: "ns" });
    expect(r.format).toBe("text-sparse");
    expect(r.unit).toBe("ns");
    expect(r.histogramSize).toBe(10);
    expect(r.threads).toHaveLength(1);
    expect(r.threads[0]).toMatchObject({ cycles: 12, overflows: 1, min: 4, max: 12 });
  });

  it("non-quiet status lines before the histogram are ignored", () => {
    const text = ["policy: fifo: loadavg: 0.10 0.05 0.01 1/200 123", "", "T: 0 ( 1234) P:80 I:1000 C:   1000 Min:     18 Act:   20 Avg:   28 Max:     105", "# Histogram", "000018 000002", "# Min Latencies: 00018", "# Avg Latencies: 00028", "# Max Latencies: 00105", "# Histogram Overflows: 00998"].join("\n");
    const r = parseCyclictestText(text, { cpus: [3] });
    expect(r.threads[0]).toMatchObject({ cycles: 1000, cpu: 3, overflows: 998 });
  });
});

describe("cmdline", () => {
  it.each([
    ["cyclictest -p 80 -i 1000 -t 2 -D 3s -h 400 -q", { histogramSize: 400, priority: 80, intervalUs: 1000, threads: 2, durationS: 3, nsecs: false }],
    ["cyclictest --priority=95 --interval=200 --histogram=1000 -N --duration=2m", { histogramSize: 1000, priority: 95, intervalUs: 200, durationS: 120, nsecs: true }],
    ["cyclictest -h400 -H 250 -a 2-3 --mainaffinity=0", { histogramSize: 250, affinity: "2-3", mainAffinity: "0" }],
  ])("%s", (cmd, want) => {
    expect(parseCyclictestCmdline(cmd)).toMatchObject(want);
  });
});

describe("summary (parse-cyclictest --json shape)", () => {
  it("hand-computed on a small histogram with an overflow tail", () => {
    const r: CyclictestResult = parseCyclictestText(
      ["# Histogram", "000001 000990\t000000", "000002 000000\t000009", "# Min Latencies: 00001 00002", "# Avg Latencies: 00001 00009", "# Max Latencies: 00001 00500", "# Histogram Overflows: 00000 00001"].join("\n"),
      { histogramSize: 10 },
    );
    const s = summarizeCyclictest(r);
    expect(s.unit).toBe("us");
    expect(s.buckets).toBe(10);
    expect(s.threads).toEqual([
      { thread: 0, cpu: null, min: 1, avg: 1, max: 1, cycles: 990, overflows: 0 },
      { thread: 1, cpu: null, min: 2, avg: 9, max: 500, cycles: 10, overflows: 1 },
    ]);
    // 1000 cycles: 990 at 1, 9 at 2, 1 overflow
    expect(s.merged).toMatchObject({ min: 1, max: 500, cycles: 1000, overflows: 1 });
    expect(s.merged.percentiles).toEqual({ "50": 1, "99": 1, "99.9": 2, "99.99": 10, "99.999": 10 });
    expect(s.merged.lowerBounds).toEqual(["99.99", "99.999"]);
  });
});
