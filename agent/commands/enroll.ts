import os from "node:os";
import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { AGENT_VERSION } from "@/agent/report/collect";
import { loadCredentials, resolveStateDir, saveCredentials } from "@/agent/state";
import { createAgentApi } from "@/agent/transport/client";

export const summary = "trade a one-time enrolment token for this host's id and token (stored 0600 in the state dir)";

const USAGE = "usage: enroll --server URL --token TOKEN [--state DIR] [--hostname NAME] [--force]";

const flagsSchema = z
  .object({
    server: z.url({ protocol: /^https?$/ }),
    token: z.string().min(16).max(256),
    state: z.string().min(1).optional(),
    hostname: z.string().min(1).max(253).optional(),
    force: z.boolean().default(false),
  })
  .strict();

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(
    argv,
    { server: { type: "string" }, token: { type: "string" }, state: { type: "string" }, hostname: { type: "string" }, force: { type: "boolean" } },
    flagsSchema,
  );
  if (!parsed.ok) {
    process.stderr.write(`enroll: ${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const { server, token, force } = parsed.flags;
  const stateDir = resolveStateDir(parsed.flags.state);
  const existing = await loadCredentials(stateDir);
  if (existing && !force) {
    process.stderr.write(`enroll: already enrolled as host ${existing.hostId} (${stateDir}); use --force to enrol again\n`);
    return 1;
  }
  const api = createAgentApi({ server, timeoutMs: 30_000 });
  let result: { hostId: string; hostToken: string };
  try {
    result = await api.enroll({ enrollmentToken: token, hostname: parsed.flags.hostname ?? os.hostname(), agentVersion: AGENT_VERSION });
  } catch (err) {
    process.stderr.write(`enroll: the server refused or could not be reached: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const file = await saveCredentials(stateDir, { hostId: result.hostId, hostToken: result.hostToken, server, enrolledAt: new Date().toISOString() });
  process.stdout.write(`enrolled as host ${result.hostId}; credentials in ${file}\n`);
  return 0;
}
