import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { JobRunner } from "@/agent/jobs/runner";
import { loadCredentials, resolveStateDir } from "@/agent/state";
import { loadServerCa, transportProblem } from "@/agent/transport/tls-pin";
import { agentJobOfferSchema, type AgentJobOffer } from "@/server/contract/job";

export const summary = "run ONE job offer (JSON on stdin) with the job runner and exit: the native agent's job loop calls this per job";

const USAGE = "usage: job-exec [--state DIR] [--root /] [--server URL] [--timeout-ms MS] < offer.json";

const flagsSchema = z
  .object({
    state: z.string().min(1).optional(),
    root: z.string().min(1).default("/"),
    server: z.url({ protocol: /^https?$/ }).optional(),
    "timeout-ms": z.coerce.number().int().min(100).max(600_000).default(15_000),
  })
  .strict();

const FLAG_OPTIONS = { state: { type: "string" }, root: { type: "string" }, server: { type: "string" }, "timeout-ms": { type: "string" } } as const;

/** The offer as agent.jobs.next sent it, after JSON (the lease's expiry is an ISO string there). */
const offerOnStdinSchema = agentJobOfferSchema.extend({ leaseExpiresAt: z.coerce.date() });

/**
 * A JobRunner for one job child: the same credentials, server, pinned CA and timeout as `run` would use,
 * and SIGTERM/SIGINT handled like the daemon's stop (the action is aborted, the outcome still delivered
 * once, else kept in the in-flight marker). Exit codes: 2 usage, 1 not enrolled / transport refused.
 */
export async function jobRunnerFromFlags(command: string, argv: string[]): Promise<{ ok: true; runner: JobRunner; release: () => void } | { ok: false; code: number }> {
  const parsed = parseFlags(argv, FLAG_OPTIONS, flagsSchema);
  if (!parsed.ok || parsed.positionals.length > 0) {
    process.stderr.write(`${command}: ${parsed.ok ? "unexpected argument" : parsed.error}\n${USAGE.replace("job-exec", command)}\n`);
    return { ok: false, code: 2 };
  }
  const flags = parsed.flags;
  const stateDir = resolveStateDir(flags.state);
  const credentials = await loadCredentials(stateDir);
  if (!credentials) {
    process.stderr.write(`${command}: not enrolled (no credentials in ${stateDir})\n`);
    return { ok: false, code: 1 };
  }
  const server = flags.server ?? credentials.server;
  const tls = new URL(server).protocol === "https:" ? ((await loadServerCa(stateDir)) ?? undefined) : undefined;
  const problem = transportProblem(server, tls !== undefined);
  if (problem) {
    process.stderr.write(`${command}: ${problem}\n`);
    return { ok: false, code: 1 };
  }
  const runner = new JobRunner({
    stateDir,
    root: flags.root,
    api: async () => {
      const { createAgentApi } = await import("@/agent/transport/client");
      return createAgentApi({ server, hostToken: credentials.hostToken, timeoutMs: flags["timeout-ms"], tls });
    },
  });
  const onSignal = () => void runner.stop();
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    ok: true,
    runner,
    release: () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export async function run(argv: string[]): Promise<number> {
  const made = await jobRunnerFromFlags("job-exec", argv);
  if (!made.ok) return made.code;
  try {
    let offer: AgentJobOffer;
    try {
      offer = offerOnStdinSchema.parse(JSON.parse(await readStdin()));
    } catch (err) {
      process.stderr.write(`job-exec: stdin is not a job offer: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
    // throws when the server would not start it (nothing ran): exit 1, the loop backs off as JobRunner's does
    await made.runner.runOffer(offer);
    return 0;
  } finally {
    made.release();
  }
}
