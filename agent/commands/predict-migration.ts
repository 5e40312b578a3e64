import { statSync } from "node:fs";
import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { runPrediction } from "@/agent/actions/migrate";
import { predictMigrationParamsSchema } from "@/server/contract/migration";

export const summary = "pre-flight of a live migration: sample the VM's dirty rate (read-only) and predict convergence, as one JSON line";

const USAGE = "usage: predict-migration --qmp SOCKET [--downtime-limit-ms N] [--max-bandwidth BYTES_PER_S] --json";

const intFlag = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const flagsSchema = z
  .object({
    qmp: z.string().min(1),
    "downtime-limit-ms": intFlag(1, 60_000).optional(),
    "max-bandwidth": intFlag(1, Number.MAX_SAFE_INTEGER).optional(),
    json: z.literal(true, { message: "--json is required (the output is a JSON line)" }),
  })
  .strict();

const OPTIONS = {
  qmp: { type: "string" },
  "downtime-limit-ms": { type: "string" },
  "max-bandwidth": { type: "string" },
  json: { type: "boolean" },
} as const;

/**
 * `npm run agent -- predict-migration --qmp SOCKET … --json`: the same action the predict_migration job
 * runs. Prints `{"type":"prediction","prediction":{…}|null,"reason":…,"sampledMs":…}`. Exit 0 with a
 * prediction, 1 without one (the reason says why), 2 on bad arguments or a missing socket.
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS, flagsSchema);
  if (!parsed.ok || parsed.positionals.length > 0) {
    const error = parsed.ok ? `unexpected argument ${parsed.positionals[0]}` : parsed.error;
    process.stderr.write(`predict-migration: ${error}; ${USAGE}\n`);
    return 2;
  }
  const flags = parsed.flags;
  let socket = false;
  try {
    socket = statSync(flags.qmp).isSocket();
  } catch {
    socket = false;
  }
  if (!socket) {
    process.stderr.write(`predict-migration: --qmp ${flags.qmp} is not a unix socket (is the QEMU running with -qmp unix:${flags.qmp},server=on,wait=off?)\n`);
    return 2;
  }
  const params = predictMigrationParamsSchema.parse({ qmpSocket: flags.qmp, downtimeLimitMs: flags["downtime-limit-ms"], maxBandwidthBytesPerS: flags["max-bandwidth"] ?? null });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await runPrediction(params, { signal: abort.signal });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.prediction === null ? 1 : 0;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
