/**
 * `parse-cyclictest FILE [--json] [--ns] [--histogram-size N] [--cmdline "cyclictest …"]`
 *
 * Prints, for a cyclictest text (either generation) or --json output:
 * {"unit","buckets","threads":[{thread,min,avg,max,cycles,overflows}],"merged":{min,max,cycles,overflows,
 *  percentiles:{"50","99","99.9","99.99","99.999"},lowerBounds:[…]}} (more keys: format, bucketsSource,
 * toolVersion, cpu, merged.avg). Exit 0 on success, 1 on a malformed file (error names the line), 2 on usage.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { parseCyclictest, summarizeCyclictest, type CyclictestSummary } from "@/server/domain/latency/cyclictest/parse";
import { CyclictestParseError } from "@/server/domain/latency/cyclictest/result";

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo: CommandIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

const argsSchema = z
  .object({
    file: z.string().min(1),
    json: z.boolean(),
    ns: z.boolean(),
    histogramSize: z.number().int().positive().max(10_000_000).optional(),
    cmdline: z.string().max(4096).optional(),
  })
  .strict();
type Args = z.infer<typeof argsSchema>;

const USAGE = 'usage: parse-cyclictest FILE [--json] [--ns] [--histogram-size N] [--cmdline "cyclictest …"]\n';

export function parseParseCyclictestArgs(argv: readonly string[]): Args {
  const raw: { file?: string; json: boolean; ns: boolean; histogramSize?: number; cmdline?: string } = { json: false, ns: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const value = (): string => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--json") raw.json = true;
    else if (a === "--ns") raw.ns = true;
    else if (a === "--histogram-size" || a.startsWith("--histogram-size=")) raw.histogramSize = Number(value());
    else if (a === "--cmdline" || a.startsWith("--cmdline=")) raw.cmdline = value();
    else if (a.startsWith("-") && a !== "-") throw new Error(`unknown option ${a}`);
    else if (raw.file === undefined) raw.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.message}`).join("; "));
  return parsed.data;
}

function formatHuman(s: CyclictestSummary): string {
  const u = s.unit === "us" ? "µs" : "ns";
  const lines = [
    `format ${s.format}, ${s.buckets} buckets (${s.bucketsSource}), unit ${u}${s.toolVersion ? `, rt-tests ${s.toolVersion}` : ""}`,
    ...s.threads.map(
      (t) => `thread ${t.thread}${t.cpu !== null ? ` cpu ${t.cpu}` : ""}: min ${t.min ?? "-"} avg ${t.avg ?? "-"} max ${t.max ?? "-"} cycles ${t.cycles} overflows ${t.overflows}`,
    ),
    `merged: min ${s.merged.min ?? "-"} max ${s.merged.max ?? "-"} cycles ${s.merged.cycles} overflows ${s.merged.overflows}`,
    `  ${Object.entries(s.merged.percentiles)
      .map(([q, v]) => `p${q} ${v === null ? "-" : s.merged.lowerBounds.includes(q) ? `> ${v}` : v} ${u}`)
      .join(", ")}`,
  ];
  return lines.join("\n") + "\n";
}

export async function runParseCyclictest(argv: readonly string[], io: CommandIo = defaultIo): Promise<number> {
  let args: Args;
  try {
    args = parseParseCyclictestArgs(argv);
  } catch (e) {
    io.stderr(`parse-cyclictest: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = args.file === "-" ? await readStdin() : await readFile(args.file, "utf8");
  } catch (e) {
    io.stderr(`parse-cyclictest: cannot read ${args.file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  try {
    const summary = summarizeCyclictest(
      parseCyclictest(text, {
        ...(args.ns ? { unit: "ns" as const } : {}),
        ...(args.histogramSize !== undefined ? { histogramSize: args.histogramSize } : {}),
        ...(args.cmdline !== undefined ? { cmdline: args.cmdline } : {}),
      }),
    );
    io.stdout(args.json ? JSON.stringify(summary) + "\n" : formatHuman(summary));
    return 0;
  } catch (e) {
    if (e instanceof CyclictestParseError) {
      io.stderr(`parse-cyclictest: ${args.file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString("utf8");
}

export const summary = "parse a cyclictest output file (text of either generation or --json) and print stats and merged percentiles";

/** The agent CLI's entry point (agent/main.ts COMMANDS). */
export function run(argv: string[]): Promise<number> {
  return runParseCyclictest(argv);
}
