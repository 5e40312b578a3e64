import { env } from "@/server/env";
import { createIngestServer } from "@/server/ingest-server";

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
server.listen(port, host, () => {
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  console.log(`ingest: agent API listening on http://${host}:${actual}/api/trpc (health: /api/health)`);
  process.send?.({ ready: true, port: actual });
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
