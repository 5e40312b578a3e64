import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseFlags } from "@/agent/commands/flags";
import { simulateHost, type SimulatedHost } from "@/agent/simulate/hosts";
import { historyReports } from "@/agent/simulate/history";
import { QosSeries } from "@/agent/simulate/qos";
import { simulatedHostId } from "@/agent/simulate/report";
import { enrollSimulatedAgent, mapLimit, sendReports } from "@/agent/simulate/deliver";
import type { ReportPayload } from "@/server/contract/report";

export const summary = "simulate N hosts (fixture platforms with realistic variations, latency runs, QoS counters): print, write or send their reports";

const USAGE = `usage: simulate --hosts N [--seed S] [--days D | --runs R] (--json | --out DIR | --server URL --tokens FILE [--credentials FILE])
  --json          print every report (one JSON per line; the first of each host carries its sections)
  --out DIR       write DIR/<hostname>.json: that host's reports as a JSON array
  --server URL    enrol each host with one enrolment token from --tokens FILE (one per line) and send its
                  reports to agent.report; --credentials FILE saves the host ids and tokens (0600)
  --days D        backfill D days of hourly cyclictest runs (default: --runs R runs, default 1)`;

const flagsSchema = z
  .object({
    hosts: z.coerce.number().int().min(1).max(100_000),
    seed: z.string().min(1).max(200).default("nfvdeck"),
    days: z.coerce.number().min(0).max(31).default(0),
    runs: z.coerce.number().int().min(0).max(10_000).default(1),
    json: z.boolean().default(false),
    out: z.string().min(1).optional(),
    server: z.url({ protocol: /^https?$/ }).optional(),
    tokens: z.string().min(1).optional(),
    credentials: z.string().min(1).optional(),
    concurrency: z.coerce.number().int().min(1).max(256).default(4),
  })
  .strict()
  .refine((f) => [f.json, f.out !== undefined, f.server !== undefined].filter(Boolean).length === 1, { message: "choose exactly one of --json, --out, --server", path: ["json"] })
  .refine((f) => f.server === undefined || f.tokens !== undefined, { message: "--server needs --tokens FILE", path: ["tokens"] });

/** The reports of one host, from its first sections to now. */
export function reportsOf(host: SimulatedHost, o: { hostId: string; seed: string; now: Date; days: number; runs: number }): Generator<ReportPayload> {
  const hours = o.days > 0 ? o.days * 24 : o.runs;
  const from = new Date(o.now.getTime() - hours * 3600_000 - 5 * 60_000);
  return historyReports({
    host,
    hostId: o.hostId,
    seed: o.seed,
    phases: [{ from, sections: host.sections, shape: host.profile.shape }],
    to: o.now,
    runEveryMinutes: 60,
    qos: host.qosGroups.length > 0 ? new QosSeries({ groups: host.qosGroups, seed: `${o.seed}/${host.hostname}` }) : undefined,
    firstSequence: 1,
    bootAt: new Date(from.getTime() - 12 * 86400_000),
  });
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(
    argv,
    {
      hosts: { type: "string" }, seed: { type: "string" }, days: { type: "string" }, runs: { type: "string" }, json: { type: "boolean" },
      out: { type: "string" }, server: { type: "string" }, tokens: { type: "string" }, credentials: { type: "string" }, concurrency: { type: "string" },
    },
    flagsSchema,
  );
  if (!parsed.ok) {
    process.stderr.write(`simulate: ${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const f = parsed.flags;
  const now = new Date();
  const hosts: SimulatedHost[] = [];
  for (let i = 0; i < f.hosts; i++) hosts.push(await simulateHost({ index: i, seed: f.seed }));

  if (f.json) {
    for (const [i, host] of hosts.entries()) {
      for (const r of reportsOf(host, { hostId: simulatedHostId(f.seed, i), seed: f.seed, now, days: f.days, runs: f.runs })) process.stdout.write(`${JSON.stringify(r)}\n`);
    }
    return 0;
  }
  if (f.out !== undefined) {
    await fsp.mkdir(f.out, { recursive: true });
    for (const [i, host] of hosts.entries()) {
      const reports = [...reportsOf(host, { hostId: simulatedHostId(f.seed, i), seed: f.seed, now, days: f.days, runs: f.runs })];
      await fsp.writeFile(path.join(f.out, `${host.hostname}.json`), JSON.stringify(reports));
    }
    process.stderr.write(`simulate: wrote ${hosts.length} host report files to ${f.out}\n`);
    return 0;
  }

  const server = f.server as string;
  const tokens = (await fsp.readFile(f.tokens as string, "utf8")).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith("#"));
  if (tokens.length < hosts.length) {
    process.stderr.write(`simulate: ${hosts.length} hosts need ${hosts.length} enrolment tokens; ${f.tokens} has ${tokens.length}\n`);
    return 2;
  }
  const started = Date.now();
  const results = await mapLimit(hosts, f.concurrency, async (host, i) => {
    const agent = await enrollSimulatedAgent(server, tokens[i] as string, host.hostname);
    const sent = await sendReports(agent, reportsOf(host, { hostId: agent.hostId, seed: f.seed, now, days: f.days, runs: f.runs }));
    process.stdout.write(`${host.hostname}\t${agent.hostId}\t${host.kind}\t${sent.reports} reports, ${sent.latencyRuns} runs, ${sent.qosSamples} QoS samples\n`);
    return { hostname: host.hostname, hostId: agent.hostId, hostToken: agent.hostToken, kind: host.kind, ...sent };
  });
  if (f.credentials) await fsp.writeFile(f.credentials, JSON.stringify(results.map(({ hostname, hostId, hostToken }) => ({ hostname, hostId, hostToken })), null, 2), { mode: 0o600 });
  const totals = results.reduce((a, r) => ({ reports: a.reports + r.reports, runs: a.runs + r.latencyRuns }), { reports: 0, runs: 0 });
  process.stderr.write(`simulate: ${results.length} hosts enrolled, ${totals.reports} reports and ${totals.runs} latency runs sent in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
