import os from "node:os";
import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { AGENT_VERSION } from "@/agent/report/collect";
import { loadCredentials, resolveStateDir, saveCredentials } from "@/agent/state";
import { createAgentApi } from "@/agent/transport/client";
import { fetchPinnedCa, normaliseFingerprint, pinnedTls, saveServerCa, transportProblem, type PinnedTls } from "@/agent/transport/tls-pin";

export const summary = "trade a one-time enrolment token for this host's id and token (stored 0600 in the state dir)";

const USAGE = "usage: enroll --server URL --token TOKEN [--ca-fingerprint SHA256] [--state DIR] [--hostname NAME] [--force]";

const flagsSchema = z
  .object({
    server: z.url({ protocol: /^https?$/ }),
    token: z.string().min(16).max(256),
    /** SHA-256 of the server's agent CA (printed by the agent API at start); required for https */
    "ca-fingerprint": z.string().max(200).optional(),
    state: z.string().min(1).optional(),
    hostname: z.string().min(1).max(253).optional(),
    force: z.boolean().default(false),
  })
  .strict();

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(
    argv,
    { server: { type: "string" }, token: { type: "string" }, "ca-fingerprint": { type: "string" }, state: { type: "string" }, hostname: { type: "string" }, force: { type: "boolean" } },
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
  // https: pin the server's CA first (TLS handshake only, nothing sent); plain http: loopback only
  let tls: PinnedTls | undefined;
  if (new URL(server).protocol === "https:") {
    const pin = parsed.flags["ca-fingerprint"] === undefined ? null : normaliseFingerprint(parsed.flags["ca-fingerprint"]);
    if (!pin) {
      process.stderr.write(`enroll: https needs --ca-fingerprint (the SHA-256 of the server's agent CA, 64 hex digits)\n${USAGE}\n`);
      return 2;
    }
    try {
      tls = pinnedTls(await fetchPinnedCa(server, pin), pin);
    } catch (err) {
      process.stderr.write(`enroll: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }
  const problem = transportProblem(server, tls !== undefined);
  if (problem) {
    process.stderr.write(`enroll: ${problem}\n`);
    return 2;
  }
  const api = createAgentApi({ server, timeoutMs: 30_000, tls });
  let result: { hostId: string; hostToken: string };
  try {
    result = await api.enroll({ enrollmentToken: token, hostname: parsed.flags.hostname ?? os.hostname(), agentVersion: AGENT_VERSION });
  } catch (err) {
    process.stderr.write(`enroll: the server refused or could not be reached: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (tls) await saveServerCa(stateDir, tls.fingerprint, tls.ca);
  const file = await saveCredentials(stateDir, { hostId: result.hostId, hostToken: result.hostToken, server, enrolledAt: new Date().toISOString() });
  process.stdout.write(`enrolled as host ${result.hostId}; credentials in ${file}\n`);
  return 0;
}
