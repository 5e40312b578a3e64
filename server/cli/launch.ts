import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { defaultDataDir, openDatabase, type RunningDatabase } from "@/server/db-bootstrap";
import { env } from "@/server/env";
import { signalListenersNow, stopChildren, superviseChild, takeOverShutdownSignals, type SupervisedChild } from "@/server/cli/supervise";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type Launched = {
  db: RunningDatabase;
  webUrl: string;
  ingestUrl: string;
  /** the directory the app owns (NFVDECK_DATA_DIR): everything it writes lives inside it */
  dataDir: string;
  /** the address the console and the agent API listen on */
  listen: string;
  children: ChildProcess[];
  /**
   * Puts a process the caller started under the launcher's stop: stopped (SIGTERM, SIGKILL after 10 s)
   * before the agent API and the console, on a signal, on a give-up and in stopAll.
   */
  adopt: (child: SupervisedChild) => void;
  /** Runs `stop` (bounded to 10 s) before the children are stopped: in-process work that talks to them. */
  onStop: (stop: () => Promise<void>) => void;
  /** Stops everything, in order: adopted processes and onStop work, the agent API and the console, the database. Bounded, idempotent. */
  stopAll: () => Promise<void>;
};

/** Loopback unless the operator asks otherwise: a console with demo passwords must not face the network by accident. */
export const DEFAULT_LISTEN = "127.0.0.1";

/** `--listen ADDR` (an IP address, e.g. 0.0.0.0 for every interface) from the command line; throws a clear message on anything else. */
export function parseListenArg(argv: string[]): string {
  const { values } = parseArgs({ args: argv, options: { listen: { type: "string" } }, strict: true, allowPositionals: false });
  const listen = values.listen ?? DEFAULT_LISTEN;
  if (net.isIP(listen) === 0) throw new Error(`--listen: not an IP address: ${JSON.stringify(listen)} (e.g. 127.0.0.1, 0.0.0.0, ::)`);
  return listen;
}

/** The URL a local browser or agent uses for a server listening on `listen`. */
function localUrl(listen: string, port: number): string {
  const host = listen === "0.0.0.0" ? "127.0.0.1" : listen === "::" ? "[::1]" : net.isIPv6(listen) ? `[${listen}]` : listen;
  return `http://${host}:${port}`;
}

/**
 * Where the embedded PostgreSQL keeps its data inside the app's directory: `pg/`, or the directory
 * itself when an older install put it there (a PG_VERSION file at its top).
 */
export function pgDataDirIn(appDir: string): string {
  return fs.existsSync(path.join(appDir, "PG_VERSION")) ? appDir : path.join(appDir, "pg");
}

/** The app's directory: NFVDECK_DATA_DIR, else the folder around the default embedded data. */
export function appDataDir(): string {
  return env().NFVDECK_DATA_DIR ?? path.dirname(defaultDataDir());
}

function log(msg: string) {
  console.log(`[nfvdeck] ${msg}`);
}

/** The session secret: from the environment, else generated once and kept in the app's directory. */
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

/** Where `next build` writes and `next start` reads (next.config.ts: NFVDECK_NEXT_DIST_DIR, default .next). */
export function nextDistDir(): string {
  return path.resolve(repoRoot, process.env.NFVDECK_NEXT_DIST_DIR ?? ".next");
}

/** True when the build directory is missing or older than any source the web app is built from. */
export function needsBuild(): boolean {
  const buildId = path.join(nextDistDir(), "BUILD_ID");
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
export async function launch(opts: { webPort?: number; ingestPort?: number; listen?: string } = {}): Promise<Launched> {
  const e = env();
  const dataDir = appDataDir();
  const pgDir = pgDataDirIn(dataDir);
  const listen = opts.listen ?? DEFAULT_LISTEN;
  log(`data directory: ${dataDir} (everything nfvdeck writes stays inside it)`);
  log(e.DATABASE_URL ? "using the PostgreSQL server DATABASE_URL names" : `starting embedded PostgreSQL (data: ${pgDir}, port ${e.NFVDECK_PG_PORT}) …`);
  const signalsBefore = signalListenersNow();
  const db = await openDatabase({ databaseUrl: e.DATABASE_URL, dataDir: pgDir, port: e.NFVDECK_PG_PORT });
  process.env.DATABASE_URL = db.url;
  log("database migrated");

  let stopping: Promise<void> | null = null;
  const supervised: SupervisedChild[] = [];
  const adopted: SupervisedChild[] = [];
  const onStopWork: (() => Promise<void>)[] = [];
  /** Stops everything, in order; bounded, so a stuck child cannot hold the launcher. */
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      const work = Promise.allSettled(onStopWork.map((f) => f()));
      await Promise.all([stopChildren(adopted, 10_000), Promise.race([work, new Promise<void>((r) => setTimeout(r, 10_000).unref())])]);
      await stopChildren(supervised, 10_000);
      await Promise.race([db.stop(), new Promise<void>((r) => setTimeout(r, 15_000).unref())]);
    })();
    return stopping;
  };
  // From here on a signal stops what has been started (PostgreSQL now, the children below), in order.
  takeOverShutdownSignals(signalsBefore, stopAll);

  const secret = authSecret(dataDir);
  const webPort = opts.webPort ?? Number(process.env.PORT ?? 3000);
  const ingestPort = opts.ingestPort ?? e.NFVDECK_INGEST_PORT;
  const childEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    NFVDECK_AUTH_SECRET: secret,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production" as const,
  };
  // A child that cannot stay up: stop everything and exit non-zero with the reason (never hang half-running).
  const giveUp = (message: string) => {
    console.error(`[nfvdeck] ${message}; stopping nfvdeck`);
    void stopAll().finally(() => process.exit(1));
  };
  supervised.push(
    superviseChild({
      name: "agent API (ingest)",
      start: () =>
        spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "server/cli/ingest-main.ts")], {
          cwd: repoRoot,
          env: { ...childEnv, NFVDECK_INGEST_LISTEN_PORT: String(ingestPort), NFVDECK_INGEST_HOST: listen },
          stdio: "inherit",
        }),
      onGiveUp: giveUp,
    }),
    superviseChild({
      name: "web console (next start)",
      start: () =>
        spawn(process.execPath, [path.join(repoRoot, "node_modules/next/dist/bin/next"), "start", "-p", String(webPort), "-H", listen], {
          cwd: repoRoot,
          env: childEnv,
          stdio: ["ignore", "inherit", "inherit"],
        }),
      onGiveUp: giveUp,
    }),
  );

  // the console's default public origin is http://localhost:PORT (NFVDECK_PUBLIC_URL): print what its origin check trusts
  const webUrl = listen === "127.0.0.1" || listen === "0.0.0.0" ? `http://localhost:${webPort}` : localUrl(listen, webPort);
  const ingestUrl = localUrl(listen, ingestPort);
  log(
    listen === DEFAULT_LISTEN
      ? `console and agent API listen on ${listen} only (this machine); pass --listen 0.0.0.0 to serve other hosts`
      : `console and agent API listen on ${listen}${listen === "0.0.0.0" || listen === "::" ? " (every interface)" : ""}`,
  );
  try {
    await Promise.all([waitForHttp(`${ingestUrl}/api/health`, 60_000), waitForHttp(`${webUrl}/api/health`, 120_000)]);
  } catch (err) {
    // never leave a half-started nfvdeck behind
    await stopAll();
    throw err;
  }
  return {
    db,
    webUrl,
    ingestUrl,
    dataDir,
    listen,
    get children() {
      return [...adopted, ...supervised].map((c) => c.child);
    },
    adopt: (child) => {
      adopted.push(child);
    },
    onStop: (stop) => {
      onStopWork.push(stop);
    },
    stopAll,
  };
}

/**
 * Runs what a launcher does once nfvdeck is up; if it fails, everything launched is stopped before
 * the process exits non-zero (a failed seed must not leave the console and PostgreSQL running).
 */
export async function afterLaunch(app: Launched, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    console.error(err);
    console.error("[nfvdeck] start-up failed; stopping every process nfvdeck started");
    await app.stopAll();
    process.exit(1);
  }
}
