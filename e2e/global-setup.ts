import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createScratchDatabase, dropDatabase, freeTcpPort, startEmbeddedPostgres } from "@/server/db-bootstrap";

/**
 * Prepares the e2e world and returns its teardown:
 * 1. a real PostgreSQL: the server DATABASE_URL names, else an embedded one on its own port and
 *    data directory; a fresh migrated scratch database on it (dropped at the end);
 * 2. demo users + one host per agent fixture tree, ingested from real agent reports (e2e/support/seed-lab.ts);
 * 3. `next build` (E2E_SKIP_BUILD=1 skips it when .next is known to be current), then
 *    `next start -p E2E_PORT` with that DATABASE_URL, waiting for /api/health.
 */
const repoRoot = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3100);

function log(line: string) {
  process.stdout.write(`[e2e setup] ${line}\n`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} failed (exit ${code}):\n${output.slice(-8000)}`));
    });
  });
}

async function portIsFree(p: number): Promise<boolean> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(p, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

async function waitForHealth(url: string, server: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}:\n${output().slice(-8000)}`);
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.ok && body.includes('"ok":true')) return;
      last = `${res.status} ${body.slice(0, 200)}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app did not become healthy at ${url} within ${timeoutMs} ms (last: ${last}):\n${output().slice(-8000)}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  try {
    if (!(await portIsFree(port))) throw new Error(`port ${port} is in use: stop what runs there or set E2E_PORT`);

    // 1. database
    let serverUrl: string;
    if (process.env.DATABASE_URL) {
      serverUrl = process.env.DATABASE_URL;
      log(`PostgreSQL from DATABASE_URL (${new URL(serverUrl).host})`);
    } else {
      const uid = typeof process.getuid === "function" ? process.getuid() : 0;
      // A private, throw-away cluster per run: concurrent runs never share or stop each other's server.
      const running = await startEmbeddedPostgres({
        dataDir: path.join(os.tmpdir(), `nfvdeck-e2e-${uid}`, `pg-${process.pid}`),
        port: Number(process.env.NFVDECK_E2E_PG_PORT ?? (await freeTcpPort())),
        database: "postgres",
        persistent: false,
      });
      serverUrl = running.url;
      cleanups.push(running.stop);
      log("embedded PostgreSQL started");
    }
    const dbName = `nfvdeck_e2e_${process.pid}_${Date.now().toString(36)}`;
    const databaseUrl = await createScratchDatabase(serverUrl, dbName);
    cleanups.push(() => dropDatabase(serverUrl, dbName));
    log(`database ${dbName} migrated (${Date.now() - started} ms)`);

    // 2. seed (a tsx child: the app's own module graph, path aliases and Prisma client)
    const tsxCli = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
    const seedOut = path.join(os.tmpdir(), `${dbName}-seed.json`);
    await run(process.execPath, [tsxCli, "e2e/support/seed-lab.ts", "--out", seedOut], { ...process.env, DATABASE_URL: databaseUrl }, "seeding");
    cleanups.push(async () => fs.rmSync(seedOut, { force: true }));
    process.env.E2E_SEED_FILE = seedOut;
    // specs that play a host's agent (e2e/support/run-host-job.ts) reach the same database
    process.env.E2E_DATABASE_URL = databaseUrl;
    log(`seeded (${Date.now() - started} ms)`);

    // 3. build and start
    const nextCli = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
    const appEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NFVDECK_NEXT_DIST_DIR: `.next-e2e-${port}`,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      NFVDECK_AUTH_SECRET: randomBytes(32).toString("base64url"),
      NFVDECK_PUBLIC_URL: `http://127.0.0.1:${port}`,
      // every spec signs in through the real form from 127.0.0.1: the production default (30/min) trips
      NFVDECK_SIGNIN_ATTEMPTS_PER_MINUTE: "1000",
    };
    if (process.env.E2E_SKIP_BUILD === "1") {
      if (!fs.existsSync(path.join(repoRoot, `.next-e2e-${port}`, "BUILD_ID"))) throw new Error("E2E_SKIP_BUILD=1 but there is no .next build: run the e2e suite once without it");
      log("next build skipped (E2E_SKIP_BUILD=1)");
    } else {
      // next build adds its distDir's type globs to tsconfig.json; this private build dir must not leak there.
      const tsconfigPath = path.join(repoRoot, "tsconfig.json");
      const tsconfig = fs.readFileSync(tsconfigPath, "utf8");
      try {
        await run(process.execPath, [nextCli, "build"], appEnv, "next build");
      } finally {
        fs.writeFileSync(tsconfigPath, tsconfig);
      }
      log(`next build done (${Date.now() - started} ms)`);
    }
    let serverOutput = "";
    const server = spawn(process.execPath, [nextCli, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: repoRoot,
      env: appEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (d: Buffer) => (serverOutput += d.toString()));
    server.stderr?.on("data", (d: Buffer) => (serverOutput += d.toString()));
    cleanups.push(async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise<void>((r) => server.once("exit", () => r()));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      if (process.env.E2E_SERVER_LOG) fs.writeFileSync(process.env.E2E_SERVER_LOG, serverOutput);
    });
    await waitForHealth(`http://127.0.0.1:${port}/api/health`, server, () => serverOutput, 60_000);
    log(`app up on http://127.0.0.1:${port} (${Date.now() - started} ms)`);
    return teardown;
  } catch (e) {
    await teardown();
    throw e;
  }
}
