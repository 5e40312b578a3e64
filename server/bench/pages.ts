/**
 * Pages at fleet scale (part of `npm run bench`, BENCH=pages): prints figures, asserts nothing.
 * In a scratch database, N hosts are inserted by direct SQL (labels, CPU, kernel, a compliance
 * result each); a real `next start` of a production build (BENCH_NEXT_DIST_DIR, default .next; built
 * there first when it has no BUILD_ID) serves /fleet, /compliance and /latency to a signed-in viewer.
 * Each page is fetched whole (time to the last byte, as the server sends it, after 2 warm-ups):
 * p50/p95 and the HTML size, at 1,000 and then 20,000 hosts (BENCH_PAGES_HOSTS=1000,20000).
 * Goal (issue 15): at 20,000 hosts p95 < 300 ms and < 1 MB of HTML per page.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createScratchDatabase, dropDatabase, freeTcpPort } from "@/server/db-bootstrap";
import { disconnectPrisma } from "@/server/db";
import { createUser } from "@/server/repo/users";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const nextCli = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
const PAGES = ["/fleet", "/compliance", "/latency"] as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

/** Inserts hosts numbered from `from` (inclusive) to `to` (exclusive), each with a compliance result. */
async function seedHosts(client: pg.Client, from: number, to: number): Promise<void> {
  const ids = Array.from({ length: to - from }, () => randomUUID());
  await client.query(
    `insert into "Host" (id, hostname, "tokenHash", labels, "lastSeenAt", "cpuModel", "cpuVendor", sockets, "numaNodes", cpus, "kernelRelease", "agentVersion", "isVirtual")
     select id, 'nfvi-' || lpad((n + $2)::text, 5, '0'), md5(id::text),
            array['site=s' || ((n + $2) % 7), 'rack=r' || ((n + $2) % 40), 'role=compute'],
            now() - ((n + $2) % 400) * interval '1 second',
            case when (n + $2) % 3 = 0 then 'Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz' else 'AMD EPYC 7543 32-Core Processor' end,
            case when (n + $2) % 3 = 0 then 'GenuineIntel' else 'AuthenticAMD' end,
            2, 2, 64 + ((n + $2) % 4) * 32, '5.14.0-' || (362 + (n + $2) % 5) || '.el9.x86_64', '0.9.' || ((n + $2) % 4), false
     from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [ids, from],
  );
  await client.query(
    `insert into "ComplianceResult" ("hostId", "profileId", "evaluatedAt", score, pass, fail, warn, na, sections, findings, "inputHash")
     select id, 'kvm4nfv-host', now(), 60 + (n % 40), 30, n % 5, n % 3, 6,
            jsonb_build_object('bios', case when n % 5 = 0 then 'pass' else 'fail' end, 'kvm', 'pass', 'numa', case when n % 3 = 0 then 'warn' else 'pass' end),
            '[]'::jsonb, md5(id::text)
     from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [ids],
  );
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start not healthy within ${timeoutMs} ms`);
}

export async function benchPages(opts: { serverUrl: string; hostCounts?: number[]; fetches?: number; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const hostCounts = opts.hostCounts ?? [1000, 20000];
  const fetches = opts.fetches ?? Number(process.env.BENCH_PAGES_FETCHES ?? 20);
  const distDir = process.env.BENCH_NEXT_DIST_DIR ?? ".next";
  const name = `nfvdeck_bench_pages_${process.pid}`;
  const url = await createScratchDatabase(opts.serverUrl, name);
  const previousUrl = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let server: ChildProcess | null = null;
  try {
    const port = await freeTcpPort();
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NFVDECK_NEXT_DIST_DIR: distDir,
      DATABASE_URL: url,
      NFVDECK_AUTH_SECRET: randomBytes(32).toString("base64url"),
      NFVDECK_PUBLIC_URL: base,
    };
    if (!fs.existsSync(path.join(repoRoot, distDir, "BUILD_ID"))) {
      log(`pages: building the console into ${distDir} …`);
      const tsconfigPath = path.join(repoRoot, "tsconfig.json");
      const tsconfig = fs.readFileSync(tsconfigPath, "utf8");
      try {
        await runToEnd([nextCli, "build"], { ...env, NFVDECK_SKIP_BUILD_TYPECHECK: "1" });
      } finally {
        fs.writeFileSync(tsconfigPath, tsconfig);
      }
    }
    const email = `bench-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    await createUser({ email, name: "bench", password, role: "viewer", actor: "system" });
    server = spawn(process.execPath, [nextCli, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: repoRoot, env, stdio: "ignore" });
    await waitForHealth(base, server, 90_000);
    const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email, password }),
    });
    if (signIn.status !== 200) throw new Error(`sign-in: HTTP ${signIn.status}`);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").join("; ");

    let seeded = 0;
    for (const hosts of hostCounts) {
      await seedHosts(client, seeded, hosts);
      seeded = hosts;
      await client.query("analyze");
      for (const page of PAGES) {
        const times: number[] = [];
        let bytes = 0;
        let status = 0;
        for (let i = 0; i < fetches + 2; i++) {
          const t0 = performance.now();
          const res = await fetch(`${base}${page}`, { headers: { cookie } });
          const body = await res.arrayBuffer();
          const ms = performance.now() - t0;
          status = res.status;
          bytes = body.byteLength;
          if (i >= 2) times.push(ms);
        }
        times.sort((a, b) => a - b);
        log(
          `pages: ${page.padEnd(12)} ${String(hosts).padStart(6)} hosts: HTTP ${status}, ${(bytes / 1024).toFixed(0)} kB HTML, ` +
            `p50 ${percentile(times, 0.5).toFixed(0)} ms, p95 ${percentile(times, 0.95).toFixed(0)} ms (${fetches} fetches, next start, time to last byte)`,
        );
      }
    }
  } finally {
    if (server && server.exitCode === null) server.kill("SIGTERM");
    await client.end();
    await disconnectPrisma();
    process.env.DATABASE_URL = previousUrl;
    await dropDatabase(opts.serverUrl, name).catch(() => undefined);
  }
}
