/**
 * The TypeScript agent's answers for the Go latency package's parity tests
 * (agent/native/internal/latency/parity_test.go): the cyclictest parsers on every captured output in
 * agent/fixtures/cyclictest (plus hand-made and broken inputs), the argument vector, the cpu-list
 * expansion and the contract's latency run. Run `npx tsx agent/native/latency-parity.ts` to rewrite
 * agent/native/internal/latency/testdata/parity.json; latency-parity.test.ts fails when it is stale.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCyclictest } from "@/server/domain/latency/cyclictest/parse";
import { sanitizeCyclictestJson } from "@/server/domain/latency/cyclictest/json";
import { parseCyclictestCmdline } from "@/server/domain/latency/cyclictest/cmdline";
import { CyclictestParseError, type CyclictestParseOptions, type CyclictestResult } from "@/server/domain/latency/cyclictest/result";
import { toHistogramRecord } from "@/server/domain/latency/histogram";
import { buildCyclictestArgs, cyclictestRequestSchema, expandCpuList, toLatencyRun } from "@/agent/collectors/latency";
import { setContractClock } from "@/server/contract/common";
import { decidePinning, parseCpusAllowedList } from "@/agent/pin";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const FIXTURES = path.join(ROOT, "agent/fixtures/cyclictest");
export const PARITY_FILE = path.join(HERE, "internal/latency/testdata/parity.json");

interface ParseCase {
  name: string;
  /** a fixture file name, or the input itself */
  file?: string;
  input?: string;
  opts: CyclictestParseOptions;
}

function treeOf(r: CyclictestResult): unknown {
  return { ...r, threads: r.threads.map((t) => ({ ...t, histogram: toHistogramRecord(t.histogram) })) };
}

function outcome<T>(fn: () => T): { result: T } | { error: { message: string; line: number | null } } {
  try {
    return { result: fn() };
  } catch (e) {
    if (e instanceof CyclictestParseError) return { error: { message: e.message, line: e.line } };
    throw e;
  }
}

function parseCases(): ParseCase[] {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".txt") || f.endsWith(".json")).sort();
  const cases: ParseCase[] = [];
  for (const file of files) {
    cases.push({ name: `${file} as is`, file, opts: {} });
    cases.push({ name: `${file} with cpus`, file, opts: { cpus: [3, 5] } });
    cases.push({ name: `${file} with ns and a size`, file, opts: { unit: "ns", histogramSize: 450 } });
    cases.push({ name: `${file} with a cmdline`, file, opts: { cmdline: "cyclictest -q -N -p 80 -h 400 -a 0,1" } });
  }
  const full = readFileSync(path.join(FIXTURES, "debian-2.4-h400.txt"), "utf8");
  const lines = full.split("\n");
  const inline: Array<[string, string, CyclictestParseOptions?]> = [
    ["empty", ""],
    ["blank", " \n\t\n"],
    ["not cyclictest", "hello\nworld\n"],
    ["truncated in the histogram", lines.slice(0, 100).join("\n")],
    ["garbage row", [...lines.slice(0, 10), "000008 00x000\t000000", ...lines.slice(10)].join("\n")],
    ["buckets out of order", [...lines.slice(0, 10), "000003 000000\t000000", ...lines.slice(10)].join("\n")],
    ["wrong column count", lines.map((l, i) => (i === 20 ? `${l}\t000001\t000009` : l)).join("\n")],
    ["Total disagrees", full.replace(/^# Total: (\d+)/m, (_m, n: string) => `# Total: ${Number(n) + 1}`)],
    ["Total short", full.replace(/^# Total: (\d+) (\d+)/m, "# Total: $1")],
    ["non-numeric footer", full.replace(/^# Max Latencies: (\d+)/m, "# Max Latencies: abc")],
    ["huge footer number", full.replace(/^# Max Latencies: (\d+)/m, "# Max Latencies: 99999999999999999999")],
    ["duplicate footer", full.replace(/^(# Min Latencies: .*)$/m, "$1\n$1")],
    ["row after footer", `${full}000401 000001 000001\n`],
    ["text after footer", `${full}hello there this is not a row\n`],
    ["missing bucket in full output", [...lines.slice(0, 10), ...lines.slice(11)].join("\n")],
    ["CRLF", full.replace(/\n/g, "\r\n")],
    ["unicode blanks and a long bad row", "# Histogram\u00a0\n000001 000003\n\u2003bad row ".concat("é😀".repeat(40), "\n")],
    ["bad JSON", '{\n  "thread": {\n    "0": { "cycles": 1,, }\n  }\n}\n'],
    ["JSON histogram exceeds cycles", '{\n "cmdline:": "cyclictest -h 10",\n "thread": {\n  "0": { "histogram": {"1": 5}, "cycles": 3, "min": 1, "max": 1, "avg": 1.0, "cpu": 0 }\n }\n}\n'],
    ["JSON without histogram", '{\n "thread": {\n  "0": { "cycles": 3, "min": 1, "max": 1, "avg": 1.0, "cpu": 0 }\n }\n}\n'],
    ["JSON not an object", "[1, 2]"],
    ["JSON without thread", '{"cmdline:": "cyclictest"}'],
    ["JSON empty thread", '{"thread": {}}'],
    ["JSON bad thread key", '{"thread": {"x": {}}}'],
    ["JSON thread not an object", '{"thread": {"0": 3}}'],
    ["JSON bad cycles", '{"thread": {"0": {"cycles": 1.5, "histogram": {}}}}'],
    ["JSON missing min", '{"thread": {"0": {"cycles": 1, "histogram": {"0": 1}, "max": 3, "avg": 2}}}'],
    ["JSON bad bucket key", '{"thread": {"0": {"cycles": 1, "histogram": {"x1": 1}, "min": 1, "max": 3, "avg": 2}}}'],
    ["JSON bad count", '{"thread": {"0": {"cycles": 1, "histogram": {"1": "1"}, "min": 1, "max": 3, "avg": 2}}}'],
    ["JSON bucket beyond the stated size", '{"cmdline:": "cyclictest -h 5", "thread": {"0": {"cycles": 1, "histogram": {"7": 1}, "min": 7, "max": 7, "avg": 7}}}'],
    ["JSON zero-count buckets, unordered threads, -1 cpu", '{"resolution_in_ns": 1, "thread": {"1": {"cycles": 4, "histogram": {"9": 1, "2": 0, "3": 2}, "min": 3, "max": 12, "avg": 5.25, "cpu": -1}, "0": {"cycles": 0, "histogram": {}, "min": 1000000, "max": 0, "avg": -nan, "cpu": 1}}, "start_time": "x", "end_time": "y"}'],
    ["JSON nan inf in and out of strings", '{"cmdline": "nan inf -inf", "rt_test_version": "Infinity", "thread": {"0": {"cycles": 2, "histogram": {"1": 2}, "min": 1, "max": 1, "avg": nan}, "1": {"cycles": 1, "histogram": {}, "min": inf, "max": 1, "avg": 1}}}'],
    [
      "nan avg (cycles = 0)",
      `{\n  "cmdline:": "cyclictest -h 50 -q --json=x",\n  "rt_test_version:": "2.40",\n  "resolution_in_ns": 0,\n  "thread": {\n    "0": {\n      "histogram": {      },\n      "cycles": 0,\n      "min": 1000000,\n      "max": 0,\n      "avg": -nan,\n      "cpu": -1,\n      "node": 0\n    },\n    "1": {\n      "histogram": { "3": 2 },\n      "cycles": 2,\n      "min": 3,\n      "max": 3,\n      "avg": nan,\n      "cpu": 1,\n      "node": 0\n    }\n  }\n}\n`,
    ],
    [
      "7-digit widths",
      ["# Histogram", "0000005 1234567 0000001", "1000000 0000001 0000000", "# Min Latencies: 00005 00005", "# Avg Latencies: 00005 00005", "# Max Latencies: 1234567 00005", "# Histogram Overflows: 00002 00000", "# Histogram Overflow at cycle number:", "# Thread 0: 00010 00011", "# Thread 1:", ""].join("\n"),
      { histogramSize: 1000001 },
    ],
    ["others tail", ["# Histogram", "000001 000003", "# Min Latencies: 00001", "# Avg Latencies: 00001", "# Max Latencies: 00900", "# Histogram Overflows: 00040", "# Histogram Overflow at cycle number:", "# Thread 0: 00001 00002 # 00038 others"].join("\n")],
    ["malformed others tail", ["# Histogram", "000001 000003", "# Min Latencies: 00001", "# Avg Latencies: 00001", "# Max Latencies: 00900", "# Histogram Overflows: 00040", "# Histogram Overflow at cycle number:", "# Thread 0: 00001 # lots"].join("\n")],
    ["sum column wrong", ["# Histogram", "000001 000003\t000001\t000005", "# Min Latencies: 00001 00001", "# Avg Latencies: 00001 00001", "# Max Latencies: 00001 00001 00001", "# Histogram Overflows: 00000 00000 00000"].join("\n")],
    ["2.7 -H one thread CRLF", ["# Histogram", "000004 000010\t000010", "000009 000001\t000001", "# Min Latencies: 00004", "# Avg Latencies: 00004", "# Max Latencies: 00012", "# Histogram Overflows: 00001", "# Histogram Overflow at cycle number:", "# Thread 0: 00007", ""].join("\r\n"), { unit: "ns" }],
    ["status lines before the histogram", ["policy: fifo: loadavg: 0.10 0.05 0.01 1/200 123", "", "T: 0 ( 1234) P:80 I:1000 C:   1000 Min:     18 Act:   20 Avg:   28 Max:     105", "# Histogram", "000018 000002", "# Min Latencies: 00018", "# Avg Latencies: 00028", "# Max Latencies: 00105", "# Histogram Overflows: 00998"].join("\n"), { cpus: [3] }],
    ["no thread in footer", ["# Histogram", "# Min Latencies:", "# Avg Latencies:", "# Max Latencies:", "# Histogram Overflows:"].join("\n")],
    ["avg count wrong", ["# Histogram", "000001 000003", "# Min Latencies: 00001", "# Avg Latencies: 00001 00002", "# Max Latencies: 00001", "# Histogram Overflows: 00000"].join("\n")],
    ["zero cycles thread", ["# Histogram", "000001 000003 000000", "# Min Latencies: 00001 1000000", "# Avg Latencies: 00001 00000", "# Max Latencies: 00001 00000", "# Histogram Overflows: 00000 00000"].join("\n"), { cmdline: "" }],
  ];
  for (const [name, input, opts] of inline) cases.push({ name, input, opts: opts ?? {} });
  return cases;
}

const NOW = Date.parse("2026-11-22T10:00:05.000Z");

export function buildParity(): unknown {
  const text = (c: ParseCase) => (c.file !== undefined ? readFileSync(path.join(FIXTURES, c.file), "utf8") : (c.input ?? ""));
  const parse = parseCases().map((c) => ({ ...c, ...outcome(() => treeOf(parseCyclictest(text(c), c.opts))) }));

  const requests = [
    { cpus: "2-3", housekeeping: "0-1", priority: 80, intervalUs: 1000, durationS: 3, histogramSize: 400 },
    { cpus: "1", housekeeping: null, priority: 99, intervalUs: 50, durationS: 86400, histogramSize: 100000, nsecs: true, lockMemory: false },
    { cpus: "0,2-4,7", housekeeping: "1", priority: 1, intervalUs: 200, durationS: 60, histogramSize: 1, load: "stress-ng cpu" },
  ];
  const args = requests.map((request) => ({ request, jsonFile: "/tmp/x.json", args: buildCyclictestArgs(cyclictestRequestSchema.parse(request), "/tmp/x.json") }));
  const cpuLists = ["0", "0-2,5,1", "3-1", "7,7,7", "0-3,2-5", "10-12,1"].map((list) => ({ list, cpus: expandCpuList(list) }));
  const cmdlines = [
    "cyclictest -p 80 -i 1000 -t 2 -D 3s -h 400 -q",
    "cyclictest --priority=95 --interval=200 --histogram=1000 -N --duration=2m",
    "cyclictest -h400 -H 250 -a 2-3 --mainaffinity=0",
    "  cyclictest -D 1D -p x -i -t --histofall 12 --nsecs -h -5  ",
    "cyclictest -D 5q --duration 7h --affinity --mainaffinity",
  ].map((cmdline) => ({ cmdline, options: parseCyclictestCmdline(cmdline) }));
  const sanitize = ['{"a":"nan inf","b":nan,"c":-inf,"d":-nan}', '{"a":"\\"nan\\"","b":[Infinity,-infinity,NaN, nanx, xnan]}', '"unterminated nan'].map((input) => ({ input, output: sanitizeCyclictestJson(input) }));
  const allowed = ["Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n", "Cpus_allowed_list:\t0,2-4,7\n", "Cpus_allowed_list:\t5", "Name:\tnode\n", "Cpus_allowed_list:\tgarbage\n", ""].map((status) => ({ status, cpus: parseCpusAllowedList(status) }));
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const pinning = [
    { allowed: [0, 1], online: [0, 1], isolated: [] },
    { allowed: [0, 1], online: [0, 1, 2, 3], isolated: [2, 3] },
    { allowed: [0, 1], online: [0, 1], isolated: [1] },
    { allowed: range(0, 35), online: range(0, 35), isolated: [...range(11, 15), ...range(31, 35)] },
    { allowed: [2, 3, 4], online: range(0, 7), isolated: [4, 5] },
    { allowed: [4, 5], online: range(0, 7), isolated: [4, 5] },
    { allowed: [0, 1], online: [0, 1], isolated: [0, 1] },
  ].map((input) => ({ ...input, decision: decidePinning(input) }));

  setContractClock(() => NOW);
  try {
    const meta = { runKey: "run-1", startedAt: new Date("2026-11-22T10:00:00.123Z"), durationS: 2.013, load: "idle", priority: 80, intervalUs: 1000, cmdline: "cyclictest -q", toolVersion: null };
    const runCases: Array<[string, string, CyclictestParseOptions, typeof meta]> = [
      ["h300 json", "debian-2.4-h300.json", { cpus: [0, 1] }, meta],
      ["h400 text", "debian-2.4-h400.txt", { cpus: [0, 1] }, { ...meta, toolVersion: "2.40" as unknown as null }],
      ["N json", "debian-2.4-N-h400.json", {}, { ...meta, priority: null as unknown as number, intervalUs: null as unknown as number }],
      ["one cycle", "debian-2.4-one-cycle.json", {}, { ...meta, runKey: "" }],
      ["sparse", "reconstructed-2.7-sparse-H250.txt", {}, { ...meta, startedAt: new Date("2026-11-24T10:00:00.000Z") }],
      ["sparse old", "reconstructed-2.7-sparse-H250.txt", {}, { ...meta, startedAt: new Date("2016-11-01T10:00:00.000Z"), durationS: -1 }],
    ];
    const runs = runCases.map(([name, file, opts, m]) => {
      const parsed = parseCyclictest(readFileSync(path.join(FIXTURES, file), "utf8"), opts);
      try {
        return { name, file, opts, meta: { ...m, startedAt: m.startedAt.toISOString() }, now: new Date(NOW).toISOString(), run: toLatencyRun(parsed, m) };
      } catch {
        return { name, file, opts, meta: { ...m, startedAt: m.startedAt.toISOString() }, now: new Date(NOW).toISOString(), run: null };
      }
    });
    return { parse, args, cpuLists, cmdlines, sanitize, allowed, pinning, runs };
  } finally {
    setContractClock(null);
  }
}

export function parityText(): string {
  return `${JSON.stringify(buildParity(), null, 1)}\n`;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(PARITY_FILE, parityText());
  process.stdout.write(`wrote ${path.relative(ROOT, PARITY_FILE)}\n`);
}
