import { statSync } from "node:fs";
import { z } from "zod";
import { HostFs } from "@/agent/hostfs";
import { buildLocalReport } from "@/agent/report/collect";
import { parseFlags } from "@/agent/commands/flags";

export const summary = "collect one report from the tree at --root (default /) and print it";

const flagsSchema = z
  .object({
    root: z.string().min(1).default("/"),
    json: z.boolean().default(false),
    pretty: z.boolean().default(false),
  })
  .strict();

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { root: { type: "string" }, json: { type: "boolean" }, pretty: { type: "boolean" } }, flagsSchema);
  if (!parsed.ok) {
    process.stderr.write(`once: ${parsed.error}\nusage: once [--root DIR] [--json] [--pretty]\n`);
    return 2;
  }
  if (!statSync(parsed.flags.root, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`once: --root ${parsed.flags.root} is not a directory\n`);
    return 2;
  }
  const report = await buildLocalReport(new HostFs(parsed.flags.root));
  if (parsed.flags.json && !parsed.flags.pretty) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else if (parsed.flags.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    // Human summary: one line per section.
    process.stdout.write(`${report.hostname} at ${report.collectedAt} (agent ${report.agentVersion})\n`);
    for (const [name, s] of Object.entries(report.sections)) {
      const state = !s.ok ? `ERROR ${s.error ?? ""}` : s.available ? "ok" : "not available";
      process.stdout.write(`  ${name.padEnd(10)} ${state} (${s.durationMs.toFixed(1)} ms)\n`);
    }
  }
  return 0;
}
