/**
 * A demo-lab host for e2e, as `npm run demo` runs it: `tsx e2e/support/demo-host.ts --host nfvi-bj-c05 --state DIR`
 * (DATABASE_URL set). Starts the real agent port (createIngestServer) in this process, enrols and backfills
 * the simulated host through it (a day of hourly cyclictest runs), then keeps its simulated agent running:
 * heartbeats every 2 s, tune jobs taken from the console and run by the real tune actions on its simulated
 * tree, the changed sections reported at once, a 5-second cyclictest run after each change.
 * Prints one JSON line {hostId, hostname} when ready; stops when stdin closes or on SIGTERM.
 */
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createIngestServer } from "@/server/ingest-server";
import { runDemoLabHeartbeats, seedDemoLab } from "@/server/cli/demo-lab";
import { disconnectPrisma } from "@/server/db";
import { closeJobListener } from "@/server/repo/job-listener";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { host: { type: "string" }, state: { type: "string" } } });
  if (!values.host || !values.state) throw new Error("--host and --state are required");
  const server = createIngestServer({ maxBodyBytes: 8 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lab = await seedDemoLab({ ingestUrl, days: 1, only: [values.host], vnfs: false });
  const host = lab.hosts[0];
  if (!host) throw new Error(`${values.host} is not a demo lab host`);
  const beats = runDemoLabHeartbeats({ ingestUrl, hosts: lab.hosts, everySeconds: 2, stateDir: values.state, afterChangeRunS: 5, jobPollWaitMs: 2000, latencyEveryMinutes: 60, log: (l) => process.stderr.write(`${l}\n`) });
  await beats.ready;
  process.stdout.write(`${JSON.stringify({ hostId: host.hostId, hostname: host.hostname })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await beats.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await closeJobListener();
    await disconnectPrisma();
    process.exit(0);
  };
  process.stdin.on("end", () => void stop());
  process.stdin.resume();
  process.on("SIGTERM", () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`demo-host failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
