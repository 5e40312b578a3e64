/**
 * Seeds a database for the e2e suite (and for looking at the UI by hand): the demo users and one
 * host per agent fixture tree, each enrolled and fed a REAL report built by the agent's own
 * collectors from agent/fixtures/<tree> (agent/report/collect.ts), through the same write path (server/services/reports/store-report.ts)
 * as the ingest API. Some reports are back-dated so every status shows up.
 *
 *   DATABASE_URL=… tsx e2e/support/seed-lab.ts [--bulk N] [--out FILE]
 *
 * --bulk N adds N more hosts (copies of the fixture reports under lab-like names) to look at the
 * fleet page at scale. Prints (and with --out writes) JSON: { hosts: [{ id, hostname, fixture }] }.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { HostFs } from "@/agent/hostfs";
import { buildLocalReport, type LocalReport } from "@/agent/report/collect";
import { reportInput } from "@/server/contract/report";
import { seedDemoUsers } from "@/server/repo/users";
import { createEnrollmentToken, enrollHost } from "@/server/repo/enrollment";
import { storeReport } from "@/server/services/reports/store-report";
import { disconnectPrisma } from "@/server/db";
import { E2E_HEARTBEAT_SECONDS, E2E_HOSTS, NEVER_REPORTED_HOST } from "@/e2e/support/lab";
import { setHostHeartbeatSeconds } from "@/server/repo/hosts";
import { qosGroupsFromResctrl, simulateQosSamples } from "@/agent/simulate/qos";
import type { QosSample } from "@/server/contract/sections/qos";
import { QOS_VNF_HOST, qosVnfSamples, seedQosVnfs, withQosVnfs } from "@/e2e/support/qos-vnfs";

const FIXTURES_DIR = path.resolve(import.meta.dirname, "../../agent/fixtures");

type Seeded = { id: string; hostname: string; fixture: string | null };

async function enroll(hostname: string, labels: string[]): Promise<string> {
  const { token } = await createEnrollmentToken({ createdById: null, note: `e2e seed ${hostname}`, ttlHours: 1 });
  const { hostId } = await enrollHost({ enrollmentToken: token, hostname, agentVersion: "0.1.0", labels });
  return hostId;
}

async function report(hostId: string, hostname: string, local: LocalReport, receivedAt: Date, qosSamples: QosSample[] = []): Promise<void> {
  const input = reportInput.parse({
    hostId,
    idempotencyKey: `${hostId}:1`,
    sequence: 1,
    collectedAt: new Date(receivedAt.getTime() - 500).toISOString(),
    agentVersion: local.agentVersion,
    hostname,
    sections: local.sections,
    qosSamples,
  });
  // the agent API's own write path (compliance evaluated on change), back-dated to receivedAt
  await storeReport({ hostId, input, receivedAt });
}

/** Six hours of simulated CMT/MBM readings (every 10 min) for a host whose resctrl section lists monitoring groups (Cache QoS tab). */
function seedQosSamples(hostname: string, local: LocalReport, now: Date): QosSample[] {
  const groups = qosGroupsFromResctrl(local.sections.resctrl?.data);
  if (groups.length === 0) return [];
  return simulateQosSamples({ groups, seed: hostname, from: new Date(now.getTime() - 6 * 3_600_000), samples: 36, everySeconds: 600 });
}

export async function seedLab(opts: { bulk?: number; now?: Date } = {}): Promise<Seeded[]> {
  const now = opts.now ?? new Date();
  await seedDemoUsers();
  const reports = new Map<string, LocalReport>();
  const out: Seeded[] = [];
  for (const h of E2E_HOSTS) {
    const dir = path.join(FIXTURES_DIR, h.fixture);
    if (!fs.existsSync(dir)) throw new Error(`agent fixture tree missing: ${dir}`);
    const collected = await buildLocalReport(new HostFs(dir), { now });
    reports.set(h.fixture, collected);
    // the RDT host: the agent's per-VNF monitoring groups and a noisy-neighbour episode (e2e/support/qos-vnfs.ts)
    const local = h.hostname === QOS_VNF_HOST ? withQosVnfs(collected) : collected;
    const id = await enroll(h.hostname, [...h.labels]);
    await setHostHeartbeatSeconds(id, E2E_HEARTBEAT_SECONDS);
    await report(id, h.hostname, local, new Date(now.getTime() - h.ageS * 1000), h.hostname === QOS_VNF_HOST ? qosVnfSamples(h.hostname, local, now) : seedQosSamples(h.hostname, local, now));
    out.push({ id, hostname: h.hostname, fixture: h.fixture });
  }
  out.push({ id: await enroll(NEVER_REPORTED_HOST, ["pod3"]), hostname: NEVER_REPORTED_HOST, fixture: null });
  await seedQosVnfs();

  const fixtures = [...reports.keys()];
  for (let i = 0; i < (opts.bulk ?? 0); i++) {
    const fixture = fixtures[i % fixtures.length] as string;
    const local = reports.get(fixture) as LocalReport;
    const hostname = `lab-r${String(Math.floor(i / 40) + 1).padStart(2, "0")}-n${String((i % 40) + 1).padStart(2, "0")}`;
    // Mostly fresh, some stale, a few offline: a plausible fleet.
    const ageS = i % 29 === 0 ? 3600 + i : i % 11 === 0 ? 60 + (i % 200) : i % 9;
    const id = await enroll(hostname, [`rack${Math.floor(i / 40) + 1}`, fixture]);
    await report(id, hostname, local, new Date(now.getTime() - ageS * 1000));
    out.push({ id, hostname, fixture });
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bulk: { type: "string" }, out: { type: "string" } } });
  const bulk = values.bulk === undefined ? 0 : Number(values.bulk);
  if (!Number.isInteger(bulk) || bulk < 0 || bulk > 20_000) throw new Error(`--bulk must be an integer 0..20000, got ${values.bulk}`);
  const hosts = await seedLab({ bulk });
  const json = JSON.stringify({ hosts }, null, 2);
  if (values.out) fs.writeFileSync(values.out, json);
  process.stdout.write(`seeded ${hosts.length} hosts\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main()
    .then(() => disconnectPrisma())
    .catch(async (e: unknown) => {
      process.stderr.write(`seed-lab failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      await disconnectPrisma().catch(() => undefined);
      process.exit(1);
    });
}
