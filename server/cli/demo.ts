import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { afterLaunch, buildWebApp, launch, needsBuild, parseListenArg, repoRoot, type Launched } from "@/server/cli/launch";
import { superviseChild } from "@/server/cli/supervise";
import { reviveDemoLabHosts, runDemoLabHeartbeats, seedDemoLab } from "@/server/cli/demo-lab";
import { HOST_KINDS } from "@/agent/simulate/hosts";
import { backfillCompliance } from "@/server/services/compliance/backfill-compliance";
import { createEnrollmentToken } from "@/server/repo/enrollment";
import { countExistingHosts } from "@/server/repo/demo-lab";
import { seedDemoUsers } from "@/server/repo/users";

/**
 * `npm run demo`: the console on the embedded PostgreSQL, a realistic lab (seeded once through
 * the real agent API and kept heartbeating), and the real agent reporting this very machine.
 */
const log = (m: string) => console.log(`[nfvdeck] ${m}`);

const savedLab = z.object({
  hosts: z.array(
    z.object({
      hostname: z.string(),
      hostId: z.string(),
      token: z.string(),
      liveness: z.enum(["online", "stale", "offline"]),
      // rebuilds the host's simulation on a restart (older lab files lack them: those hosts only heartbeat)
      kind: z.enum(HOST_KINDS).optional(),
      index: z.number().int().min(0).optional(),
    }),
  ),
});

async function main() {
  // `npm run demo -- --listen 0.0.0.0` to show it to other machines; loopback by default
  const listen = parseListenArg(process.argv.slice(2));
  if (needsBuild()) buildWebApp();
  // from here on a signal, a child that cannot stay up or a failure below stops everything launched
  const app = await launch({ listen });
  await afterLaunch(app, () => runDemo(app));
}

async function runDemo(app: Launched) {
  // tokens, the agent's state and the session secret live in the app's own directory, never beside it
  const stateDir = app.dataDir;
  await backfillCompliance();
  const users = await seedDemoUsers();

  // The lab: seeded once (host tokens are stored hashed, so the demo keeps them beside the data).
  const labFile = path.join(stateDir, "demo-lab.json");
  let labHosts: z.infer<typeof savedLab>["hosts"] | null = null;
  if (fs.existsSync(labFile)) {
    const parsed = savedLab.safeParse(JSON.parse(fs.readFileSync(labFile, "utf8")));
    if (parsed.success && (await countExistingHosts(parsed.data.hosts.map((h) => h.hostId))) === parsed.data.hosts.length) {
      labHosts = parsed.data.hosts;
      log(`reusing the demo lab (${labHosts.length} hosts) from ${labFile}`);
    }
  }
  let heartbeatHosts: Parameters<typeof runDemoLabHeartbeats>[0]["hosts"];
  if (labHosts) {
    heartbeatHosts = await reviveDemoLabHosts(labHosts);
  } else {
    log("seeding the demo lab through the agent API (14 hosts, 7 days of latency history) …");
    const t0 = Date.now();
    const seeded = await seedDemoLab({ ingestUrl: app.ingestUrl, hosts: 14, days: 7, log: (l) => log(`  ${l}`) });
    log(`lab seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${seeded.reports} reports, ${seeded.latencyRuns} latency runs, ${seeded.qosSamples} QoS samples`);
    fs.writeFileSync(
      labFile,
      JSON.stringify({ hosts: seeded.hosts.map((h) => ({ hostname: h.hostname, hostId: h.hostId, token: h.token, liveness: h.liveness, kind: h.kind, index: h.sim.host.index })) }),
      { mode: 0o600 },
    );
    heartbeatHosts = seeded.hosts;
  }
  // the lab's simulated agents take tuning jobs from the console; their ledgers live beside the data
  const lab = runDemoLabHeartbeats({ ingestUrl: app.ingestUrl, hosts: heartbeatHosts, everySeconds: 10, stateDir: path.join(stateDir, "lab-agents"), log: (l) => log(l) });
  app.onStop(lab.stop);

  // The real agent on this machine: enrol once (state kept beside the data), then run.
  const agentState = path.join(stateDir, "agent");
  const agentMain = path.join(repoRoot, "agent/main.ts");
  if (!fs.existsSync(path.join(agentState, "credentials.json")) || !(await agentStillEnrolled(agentState))) {
    const { token } = await createEnrollmentToken({ createdById: null, note: `demo: ${os.hostname()} (this machine)`, ttlHours: 1 });
    const r = spawnSync(process.execPath, ["--import", "tsx", agentMain, "enroll", "--server", app.ingestUrl, "--token", token, "--state", agentState, "--force"], {
      cwd: repoRoot,
      stdio: "inherit",
    });
    if (r.status !== 0) log("warning: the agent for this machine could not enrol; the lab still runs");
  }
  const agent = superviseChild({
    name: "this machine's agent",
    start: () =>
      spawn(process.execPath, ["--import", "tsx", agentMain, "run", "--server", app.ingestUrl, "--state", agentState], {
        cwd: repoRoot,
        stdio: ["ignore", "inherit", "inherit"],
      }),
    onGiveUp: (message) => log(`warning: ${message}; the console and the lab keep running`),
  });
  app.adopt(agent);

  console.log(`
  nfvdeck demo is running
    console:   ${app.webUrl}
    agent API: ${app.ingestUrl}
    listening: ${app.listen}${app.listen === "127.0.0.1" ? " only (this machine; --listen 0.0.0.0 serves other hosts)" : ""}
    data:      ${app.dataDir}
    this machine (${os.hostname()}) is reported by the real agent; the lab heartbeats every 10 s

  logins:
${users.map((u) => `    ${u.role.padEnd(9)} ${u.email.padEnd(26)} ${u.password}`).join("\n")}

  Ctrl-C stops everything.`);
}

async function agentStillEnrolled(stateDir: string): Promise<boolean> {
  try {
    const creds = z.object({ hostId: z.string() }).parse(JSON.parse(fs.readFileSync(path.join(stateDir, "credentials.json"), "utf8")));
    return (await countExistingHosts([creds.hostId])) === 1;
  } catch {
    return false;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
