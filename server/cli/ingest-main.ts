import { env } from "@/server/env";
import { createIngestServer } from "@/server/ingest-server";
import { startLeaseSweeper } from "@/server/services/jobs/expire-job-leases";
import { prepareTimeSeriesPartitions, startHousekeeping } from "@/server/services/housekeeping/run-housekeeping";
import { startWindowSummaryRefresher } from "@/server/services/latency/refresh-window-summaries";
import { closeJobListener } from "@/server/repo/job-listener";
import path from "node:path";
import { agentTlsFromEnv, createAgentPort } from "@/server/agent-tls";
import { defaultDataDir } from "@/server/db-bootstrap";

// Entry of the agent-facing API process. DATABASE_URL is resolved by the launcher (server/cli/start.ts).
const e = env();
if (!process.env.DATABASE_URL) {
  console.error("ingest: DATABASE_URL is not set (start through `npm start` / `npm run demo`)");
  process.exit(2);
}
const port = Number(process.env.NFVDECK_INGEST_LISTEN_PORT ?? e.NFVDECK_INGEST_PORT);
const host = process.env.NFVDECK_INGEST_HOST ?? "0.0.0.0";
const server = createIngestServer({ maxBodyBytes: e.NFVDECK_MAX_REPORT_BYTES });
server.keepAliveTimeout = 65_000;
// TLS to every agent, plain HTTP to loopback only (server/agent-tls.ts); the CA lives in the app directory (agent-tls/).
const tlsMaterial = await agentTlsFromEnv(e.NFVDECK_DATA_DIR ?? path.dirname(defaultDataDir()));
const agentPort = createAgentPort(server, tlsMaterial);
// Today's and the coming days' partitions exist before the first report (a fresh install's reports would
// otherwise land in DEFAULT, and moving them out later holds ingest up).
await prepareTimeSeriesPartitions();
agentPort.listen(port, host, () => {
  const addr = agentPort.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  console.log(`ingest: agent API listening on ${tlsMaterial ? "https" : "http"}://${host}:${actual}/api/trpc (health: /api/health; plain HTTP from 127.0.0.1 only)`);
  if (tlsMaterial) console.log(`ingest: agent CA fingerprint (SHA-256, give agents --ca-fingerprint): ${tlsMaterial.caFingerprint}`);
  process.send?.({ ready: true, port: actual, caFingerprint: tlsMaterial?.caFingerprint ?? null });
});
// Jobs whose agent stopped renewing its lease end failed (never re-queued); every agent-API process sweeps.
const stopSweeper = startLeaseSweeper();
// Partitions ahead, expired partitions dropped, QoS thinned: every agent-API process schedules it, one runs at a time (advisory lock).
const stopHousekeeping = e.NFVDECK_HOUSEKEEPING_MINUTES > 0 ? startHousekeeping({ everyMs: e.NFVDECK_HOUSEKEEPING_MINUTES * 60_000 }) : () => undefined;
// The fleet latency page's precomputed window summaries: recomputed soon after each whole hour and after late runs (one process at a time).
const stopSummaries = e.NFVDECK_HOUSEKEEPING_MINUTES > 0 ? startWindowSummaryRefresher({ everyMs: 30_000 }) : () => undefined;
const stop = () => {
  stopSweeper();
  stopHousekeeping();
  stopSummaries();
  void closeJobListener();
  agentPort.close(() => process.exit(0));
  server.closeIdleConnections();
  // agents' job long-polls would hold the close for up to their wait: in-flight reports get 1 s
  setTimeout(() => server.closeAllConnections(), 1000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
