import { statSync } from "node:fs";
import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { runMigration } from "@/agent/actions/migrate";
import { agentMigrateParamsSchema } from "@/agent/jobs/catalogue";
import { migrateParamsSchema, migrationCapabilitySchema, noConvergencePolicySchema } from "@/server/contract/migration";

export const summary = "live-migrate a QEMU VM over QMP, print progress and the 2 s / 10 ms verdict as JSON lines";

const USAGE =
  "usage: migrate --qmp SOCKET --uri URI [--dest-qmp SOCKET] [--downtime-limit-ms N] [--max-bandwidth BYTES_PER_S] " +
  "[--capabilities a,b] [--on-no-convergence cancel|postcopy|raise] [--timeout-s S] --json";

const intFlag = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const flagsSchema = z
  .object({
    qmp: z.string().min(1),
    // The same URI rule as the job path: no exec: (QEMU would run a shell command), fd: or file:.
    uri: agentMigrateParamsSchema.shape.uri,
    "dest-qmp": z.string().min(1).optional(),
    "downtime-limit-ms": intFlag(1, 60_000).optional(),
    "max-bandwidth": intFlag(1, Number.MAX_SAFE_INTEGER).optional(),
    capabilities: z
      .string()
      .transform((s) => s.split(",").map((c) => c.trim()).filter((c) => c.length > 0))
      .pipe(z.array(migrationCapabilitySchema))
      .optional(),
    "on-no-convergence": noConvergencePolicySchema.optional(),
    "timeout-s": intFlag(1, 3600).optional(),
    json: z.literal(true, { message: "--json is required (the output is JSON lines)" }),
  })
  .strict();

const OPTIONS = {
  qmp: { type: "string" },
  uri: { type: "string" },
  "dest-qmp": { type: "string" },
  "downtime-limit-ms": { type: "string" },
  "max-bandwidth": { type: "string" },
  capabilities: { type: "string" },
  "on-no-convergence": { type: "string" },
  "timeout-s": { type: "string" },
  json: { type: "boolean" },
} as const;

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, OPTIONS, flagsSchema);
  if (!parsed.ok || parsed.positionals.length > 0) {
    const error = parsed.ok ? `unexpected argument ${parsed.positionals[0]}` : parsed.error;
    process.stderr.write(`migrate: ${error}; ${USAGE}\n`);
    return 2;
  }
  const flags = parsed.flags;
  for (const [flag, socket] of [["--qmp", flags.qmp], ["--dest-qmp", flags["dest-qmp"]]] as const) {
    if (socket !== undefined && !isSocket(socket)) {
      process.stderr.write(`migrate: ${flag} ${socket} is not a unix socket (is the QEMU running with -qmp unix:${socket},server=on,wait=off?)\n`);
      return 2;
    }
  }
  const params = migrateParamsSchema.parse({
    qmpSocket: flags.qmp,
    uri: flags.uri,
    destQmpSocket: flags["dest-qmp"] ?? null,
    downtimeLimitMs: flags["downtime-limit-ms"],
    maxBandwidthBytesPerS: flags["max-bandwidth"] ?? null,
    capabilities: flags.capabilities,
    onNoConvergence: flags["on-no-convergence"],
    timeoutS: flags["timeout-s"],
  });

  // Ctrl-C / SIGTERM cancel the migration (migrate_cancel) instead of leaving it running behind us.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await runMigration(params, {
      signal: abort.signal,
      onProgress: (progress) => process.stdout.write(`${JSON.stringify(progress)}\n`),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.status === "completed" ? 0 : 1;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
