import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { HostFs } from "@/agent/hostfs";
import { pinToHousekeeping } from "@/agent/pin";
import { loadCredentials, resolveStateDir } from "@/agent/state";
import { loadServerCa, transportProblem } from "@/agent/transport/tls-pin";
import { formatCpuList } from "@/server/domain/cpuset/cpuset";
import { AgentDaemon, DEFAULT_MAX_SERVER_ERROR_TRIES, SECTION_REFRESH_MS } from "@/agent/daemon";
import type { SectionName } from "@/server/contract/report";

/** --slow-refresh-s: the same interval for every section the default table refreshes slowly (0 = every heartbeat). */
function slowRefresh(ms: number): Partial<Record<SectionName, number>> {
  return Object.fromEntries(Object.keys(SECTION_REFRESH_MS).map((name) => [name, ms]));
}

export const summary = "the daemon: collect every heartbeat, report, spool what cannot be delivered and resend it in order";

const USAGE =
  "usage: run [--server URL] [--state DIR] [--root /] [--heartbeat SECONDS] [--backoff-max-ms MS] [--timeout-ms MS]\n" +
  "           [--spool-max-files N] [--spool-max-bytes N] [--max-server-error-tries N] [--slow-refresh-s S] [--no-qos] [--no-jobs] [--verbose]";

const flagsSchema = z
  .object({
    server: z.url({ protocol: /^https?$/ }).optional(),
    state: z.string().min(1).optional(),
    root: z.string().min(1).default("/"),
    /** explicit value wins over the server's heartbeatSeconds; fractions allowed (tests) */
    heartbeat: z.coerce.number().min(0.05).max(86_400).optional(),
    "backoff-max-ms": z.coerce.number().int().min(10).max(3_600_000).default(60_000),
    "timeout-ms": z.coerce.number().int().min(100).max(600_000).default(15_000),
    "spool-max-files": z.coerce.number().int().min(1).max(10_000_000).default(10_000),
    "spool-max-bytes": z.coerce.number().int().min(1024).max(2 ** 40).default(64 * 1024 * 1024),
    /** a report the server answers with HTTP 500 this many times is set aside (spool/set-aside/) */
    "max-server-error-tries": z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_SERVER_ERROR_TRIES),
    /** 0: collect every section every heartbeat (no per-section refresh intervals) */
    "slow-refresh-s": z.coerce.number().min(0).max(86_400).optional(),
    "no-qos": z.boolean().default(false),
    /** do not take jobs (migrations, tuning) from the server: report only */
    "no-jobs": z.boolean().default(false),
    verbose: z.boolean().default(false),
  })
  .strict();

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(
    argv,
    {
      server: { type: "string" },
      state: { type: "string" },
      root: { type: "string" },
      heartbeat: { type: "string" },
      "backoff-max-ms": { type: "string" },
      "timeout-ms": { type: "string" },
      "spool-max-files": { type: "string" },
      "spool-max-bytes": { type: "string" },
      "max-server-error-tries": { type: "string" },
      "slow-refresh-s": { type: "string" },
      "no-qos": { type: "boolean" },
      "no-jobs": { type: "boolean" },
      verbose: { type: "boolean" },
    },
    flagsSchema,
  );
  if (!parsed.ok) {
    process.stderr.write(`run: ${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const flags = parsed.flags;
  const stateDir = resolveStateDir(flags.state);
  const credentials = await loadCredentials(stateDir);
  if (!credentials) {
    process.stderr.write(`run: not enrolled (no credentials in ${stateDir}); run \`enroll --server URL --token TOKEN\` first\n`);
    return 1;
  }
  // Housekeeping only: before any work, move off isolated CPUs (may re-execute this command pinned).
  const pin = await pinToHousekeeping();
  if (pin.kind === "reexeced") return pin.exitCode;

  const server = flags.server ?? credentials.server;
  // https: only the CA pinned at enrolment is trusted; plain http: loopback only (the token never travels in clear)
  const tls = new URL(server).protocol === "https:" ? ((await loadServerCa(stateDir)) ?? undefined) : undefined;
  const problem = transportProblem(server, tls !== undefined);
  if (problem) {
    process.stderr.write(`run: ${problem}${tls === undefined && server.startsWith("https:") ? "; enrol again with --ca-fingerprint" : ""}\n`);
    return 1;
  }
  const fs = new HostFs(flags.root);
  const daemon = new AgentDaemon({
    stateDir,
    fs,
    credentials,
    api: async () => {
      // Loaded on the first send: the tRPC client is not needed to collect.
      const { createAgentApi } = await import("@/agent/transport/client");
      return createAgentApi({ server, hostToken: credentials.hostToken, timeoutMs: flags["timeout-ms"], tls });
    },
    sectionRefreshMs: flags["slow-refresh-s"] === undefined ? undefined : slowRefresh(flags["slow-refresh-s"] * 1000),
    heartbeatMs: flags.heartbeat === undefined ? undefined : Math.round(flags.heartbeat * 1000),
    backoff: { baseMs: Math.min(500, flags["backoff-max-ms"]), maxMs: flags["backoff-max-ms"] },
    spoolLimits: { maxFiles: flags["spool-max-files"], maxBytes: flags["spool-max-bytes"] },
    maxServerErrorTries: flags["max-server-error-tries"],
    housekeepingCpus: pin.info.housekeeping.length > 0 ? formatCpuList(pin.info.housekeeping) : null,
    // per-VNF resctrl monitoring groups (issue 13) are kept by the resctrl collector; --no-qos: none
    collectors: flags["no-qos"] ? undefined : (await import("@/agent/resctrl-groups/collector")).collectorsWithVnfGroups(flags.root),
    takeQosSamples: flags["no-qos"]
      ? undefined
      : async () => {
          const { readQosSamples } = await import("@/agent/collectors/resctrl");
          return readQosSamples(fs);
        },
    verbose: flags.verbose,
  });

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    process.stderr.write(`nfvdeck-agent: ${signal}: stopping after the current report\n`);
    void daemon.stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  await daemon.start();
  // Jobs: a long-poll on the agent port, its own loop beside the heartbeat (agent/jobs/runner.ts).
  const jobs = flags["no-jobs"]
    ? null
    : await import("@/agent/jobs/runner").then(
        ({ JobRunner }) =>
          new JobRunner({
            stateDir,
            root: flags.root,
            api: async () => {
              const { createAgentApi } = await import("@/agent/transport/client");
              return createAgentApi({ server, hostToken: credentials.hostToken, timeoutMs: flags["timeout-ms"], tls });
            },
          }),
      );
  jobs?.start();
  process.stderr.write(`nfvdeck-agent: host ${credentials.hostId} reporting to ${server} (state ${stateDir})\n`);
  await daemon.done;
  await jobs?.stop();
  const s = daemon.status;
  process.stderr.write(`nfvdeck-agent: stopped; ${s.spooled} report(s) left in the spool for next start\n`);
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  return 0;
}
