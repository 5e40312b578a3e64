import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createScratchDatabase, dropDatabase, freeTcpPort, startEmbeddedPostgres } from "@/server/db-bootstrap";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: the server DATABASE_URL names, or an embedded one.
 * Every run gets its own freshly migrated database, dropped at the end.
 */
export default async function setup(project: TestProject) {
  const name = `nfvdeck_test_${process.pid}_${Date.now().toString(36)}`;
  let serverUrl: string;
  let stopServer: () => Promise<void> = async () => undefined;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    // A private, throw-away cluster per run (initdb ≈ 1 s): concurrent runs never share or stop each other's server.
    const uid = typeof process.getuid === "function" ? process.getuid() : 0;
    const running = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `nfvdeck-test-${uid}`, `pg-${process.pid}`),
      port: await freeTcpPort(),
      database: "postgres",
      persistent: false,
    });
    serverUrl = running.url;
    stopServer = running.stop;
  }
  const url = await createScratchDatabase(serverUrl, name);
  project.provide("databaseUrl", url);
  return async () => {
    await dropDatabase(serverUrl, name).catch(() => undefined);
    await stopServer();
  };
}

