import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { pinToHousekeeping, readAffinity } from "@/agent/pin";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";

export const summary = "pin to housekeeping CPUs like `run` does, then print this process's CPU affinity";

const flagsSchema = z.object({ json: z.boolean().default(false), "hold-ms": z.coerce.number().int().min(0).max(600_000).default(0) }).strict();

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { json: { type: "boolean" }, "hold-ms": { type: "string" } }, flagsSchema);
  if (!parsed.ok) {
    process.stderr.write(`pin-check: ${parsed.error}\nusage: pin-check [--json] [--hold-ms N]\n`);
    return 2;
  }
  const outcome = await pinToHousekeeping();
  if (outcome.kind === "reexeced") return outcome.exitCode;
  const info = await readAffinity();
  if (parsed.flags.json) {
    process.stdout.write(`${JSON.stringify({ ...info, allowedList: formatCpuList(info.allowed), decision: outcome.decision, method: outcome.method })}\n`);
  } else {
    process.stdout.write(
      `pid ${info.pid}: allowed ${formatCpuList(info.allowed)}; isolated ${formatCpuList(info.isolated) || "(none)"}; housekeeping ${formatCpuList(info.housekeeping)}; ${info.threads.length} thread(s); pinning: ${outcome.method}\n`,
    );
  }
  // Lets a test read /proc/<pid>/status of the live process from outside.
  if (parsed.flags["hold-ms"] > 0) await new Promise((r) => setTimeout(r, parsed.flags["hold-ms"]));
  return 0;
}
