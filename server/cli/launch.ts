import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultDataDir, openDatabase, type RunningDatabase } from "@/server/db-bootstrap";
import { env } from "@/server/env";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type Launched = {
  db: RunningDatabase;
  webUrl: string;
  ingestUrl: string;
  dataDir: string;
  children: ChildProcess[];
  stopAll: () => Promise<void>;
};

function log(msg: string) {
  console.log(`[nfvdeck] ${msg}`);
}

/** The session secret: from the environment, else generated once and kept beside the data. */
export function authSecret(stateDir: string): string {
  const fromEnv = env().NFVDECK_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(stateDir, "auth-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(stateDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** True when `.next` is missing or older than any source the web app is built from. */
export function needsBuild(): boolean {
  const buildId = path.join(repoRoot, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  const newer = (dir: string): boolean => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (newer(p)) return true;
      } else if (/\.(tsx?|css|mjs)$/.test(entry.name) && fs.statSync(p).mtimeMs > builtAt) return true;
    }
    return false;
  };
  return ["app", "server", "public"].some((d) => fs.existsSync(path.join(repoRoot, d)) && newer(path.join(repoRoot, d)));
}

export function buildWebApp(): void {
  log("building the web app (next build) …");
  const r = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/next/dist/bin/next"), "build"], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`);
}

function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      fetch(url)
        .then((r) => (r.ok ? resolve() : retry()))
        .catch(retry);
    };
    const retry = () => (Date.now() > deadline ? reject(new Error(`${url} did not come up in ${timeoutMs} ms`)) : setTimeout(tick, 300));
    tick();
  });
}

/**
 * Opens the database (embedded default or DATABASE_URL), migrates it, then starts the agent API
 * (standalone tRPC, its own process) and the web app (`next start`).
 */
export async function launch(opts: { webPort?: number; ingestPort?: number } = {}): Promise<Launched> {
  const e = env();
  const dataDir = e.NFVDECK_DATA_DIR ?? defaultDataDir();
  const stateDir = path.dirname(dataDir);
  log(e.DATABASE_URL ? "using the PostgreSQL server DATABASE_URL names" : `starting embedded PostgreSQL (data: ${dataDir}, port ${e.NFVDECK_PG_PORT}) …`);
  const db = await openDatabase({ databaseUrl: e.DATABASE_URL, dataDir, port: e.NFVDECK_PG_PORT });
  process.env.DATABASE_URL = db.url;
  log("database migrated");

  const secret = authSecret(stateDir);
  const webPort = opts.webPort ?? Number(process.env.PORT ?? 3000);
  const ingestPort = opts.ingestPort ?? e.NFVDECK_INGEST_PORT;
  const childEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    NFVDECK_AUTH_SECRET: secret,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production" as const,
  };
  const children: ChildProcess[] = [];
  const ingest = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "server/cli/ingest-main.ts")], {
    cwd: repoRoot,
    env: { ...childEnv, NFVDECK_INGEST_LISTEN_PORT: String(ingestPort) },
    stdio: "inherit",
  });
  children.push(ingest);
  const web = spawn(process.execPath, [path.join(repoRoot, "node_modules/next/dist/bin/next"), "start", "-p", String(webPort)], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(web);

  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill("SIGTERM");
    await db.stop();
  };
  for (const c of [ingest, web]) {
    c.on("exit", (code) => {
      if (!stopping) {
        console.error(`[nfvdeck] a child process exited (code ${code}); stopping`);
        void stopAll().then(() => process.exit(1));
      }
    });
  }
  const webUrl = `http://localhost:${webPort}`;
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  await Promise.all([waitForHttp(`${ingestUrl}/api/health`, 60_000), waitForHttp(`${webUrl}/api/health`, 120_000)]);
  return { db, webUrl, ingestUrl, dataDir, children, stopAll };
}

export function onShutdown(stop: () => Promise<void>) {
  const handler = () => {
    void stop().then(() => process.exit(0));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
