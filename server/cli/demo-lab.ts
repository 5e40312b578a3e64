/**
 * The demo lab: simulated KVM4NFV hosts enrolled and reporting through the REAL agent API (agent.enroll,
 * agent.report on the ingest server), with days of hourly cyclictest history, a drift story, and
 * heartbeats that keep them alive while the demo runs.
 *
 *   const lab = await seedDemoLab({ ingestUrl });             // 14 hosts, 7 days of history
 *   const beats = runDemoLabHeartbeats({ ingestUrl, hosts: lab.hosts, everySeconds: 10 });
 *   …; await beats.stop();
 */
import { seedDemoVnfs } from "@/server/services/placement/seed-demo-vnfs";
import { createEnrollmentToken } from "@/server/repo/enrollment";
import { setDemoHostLabels, setDemoHostLastSeen } from "@/server/repo/demo-lab";
import path from "node:path";
import { TUNED_RT_SHAPE, type LatencyShape } from "@/agent/simulate/latency";
import { SimulatedTuning } from "@/agent/simulate/tuning";
import { JobRunner } from "@/agent/jobs/runner";
import { simulateHost, IRQ_NOISY_SHAPE, hostSections, type HostKind, type SimulatedHost } from "@/agent/simulate/hosts";
import { historyReports, type HistoryPhase } from "@/agent/simulate/history";
import { QosSeries, qosGroupsFromResctrl } from "@/agent/simulate/qos";
import { demoNoisyNeighbour } from "@/agent/simulate/vnf-groups";
import { buildSimulatedReport, simulatedHeartbeat, simulateHostRun, DEFAULT_RUN } from "@/agent/simulate/report";
import { enrollSimulatedAgent, mapLimit, reconnectSimulatedAgent, sendReports, type SimulatedAgent } from "@/agent/simulate/deliver";

export type Liveness = "online" | "stale" | "offline";

interface LabEntry {
  hostname: string;
  kind: HostKind;
  site: string;
  rack: string;
  liveness: Liveness;
  /** irqbalance started this many days ago (the latency tail got worse from then on) */
  driftDaysAgo?: number;
  /** stopped reporting this many days ago */
  offlineDaysAgo?: number;
}

/** The lab, most telling hosts first (a smaller lab keeps the first N). */
const LAB: readonly LabEntry[] = [
  { hostname: "nfvi-bj-c01", kind: "compliant", site: "bj", rack: "r12", liveness: "online" },
  { hostname: "nfvi-bj-c02", kind: "ht-on", site: "bj", rack: "r12", liveness: "online" },
  { hostname: "nfvi-bj-c03", kind: "no-nohz-full", site: "bj", rack: "r12", liveness: "online" },
  { hostname: "nfvi-bj-c04", kind: "irq-on-isolated", site: "bj", rack: "r12", liveness: "online", driftDaysAgo: 2 },
  { hostname: "nfvi-sh-a01", kind: "amd-epyc", site: "sh", rack: "r03", liveness: "online" },
  { hostname: "nfvi-bj-vm01", kind: "vm-guest", site: "bj", rack: "r12", liveness: "online" },
  { hostname: "nfvi-bj-c05", kind: "rt-throttling", site: "bj", rack: "r13", liveness: "online" },
  { hostname: "nfvi-bj-c06", kind: "cstates-turbo", site: "bj", rack: "r13", liveness: "online" },
  { hostname: "nfvi-sh-c01", kind: "rdt", site: "sh", rack: "r03", liveness: "online" },
  { hostname: "nfvi-bj-c07", kind: "compliant", site: "bj", rack: "r13", liveness: "offline", offlineDaysAgo: 3 },
  { hostname: "nfvi-bj-c08", kind: "compliant", site: "bj", rack: "r13", liveness: "stale" },
  { hostname: "nfvi-bj-c09", kind: "compliant", site: "bj", rack: "r14", liveness: "online" },
  { hostname: "nfvi-bj-c10", kind: "compliant", site: "bj", rack: "r14", liveness: "online" },
  { hostname: "nfvi-bj-c11", kind: "compliant", site: "bj", rack: "r14", liveness: "online" },
];

/** Hosts past the first 14: more of the usual mix, in Guangzhou. */
function labEntry(index: number): LabEntry {
  const fixed = LAB[index];
  if (fixed) return fixed;
  const n = index - LAB.length;
  const kinds: HostKind[] = ["compliant", "compliant", "compliant", "ht-on", "compliant", "no-nohz-full", "compliant", "cstates-turbo"];
  return { hostname: `nfvi-gz-c${String(n + 1).padStart(2, "0")}`, kind: kinds[n % kinds.length] as HostKind, site: "gz", rack: `r${String(20 + Math.floor(n / 16)).padStart(2, "0")}`, liveness: "online" };
}

/** Seconds behind "now" a stale host's last heartbeat is kept (online ≤ 30 s < stale ≤ 300 s). */
const STALE_AGE_S = 150;

export interface DemoLabHost {
  hostname: string;
  hostId: string;
  /** the host's bearer token (agent.report) */
  token: string;
  kind: HostKind;
  labels: string[];
  liveness: Liveness;
  /** simulation state carried into runDemoLabHeartbeats */
  sim: { host: SimulatedHost; qos: QosSeries | null; nextSequence: number; bootAt: Date };
}

export interface SeedDemoLabOptions {
  ingestUrl: string;
  hosts?: number;
  days?: number;
  seed?: string;
  now?: Date;
  /** hosts sent at once */
  concurrency?: number;
  log?: (line: string) => void;
  /** seed only these hostnames of the lab (each keeps its place, so its simulation is the same) */
  only?: readonly string[];
  /** define and place the demo VNFs (default true) */
  vnfs?: boolean;
}

export interface SeedDemoLabResult {
  hosts: DemoLabHost[];
  reports: number;
  latencyRuns: number;
  qosSamples: number;
}

export async function seedDemoLab(opts: SeedDemoLabOptions): Promise<SeedDemoLabResult> {
  const count = opts.hosts ?? 14;
  const days = opts.days ?? 7;
  const seed = opts.seed ?? "nfvdeck-demo-lab";
  const now = opts.now ?? new Date();
  const from = new Date(now.getTime() - days * 86400_000);
  const all = Array.from({ length: count }, (_, i) => ({ entry: labEntry(i), index: i }));
  const picked = opts.only ? all.filter((e) => opts.only?.includes(e.entry.hostname)) : all;
  const totals = { reports: 0, latencyRuns: 0, qosSamples: 0 };

  const seedOne = async (e: LabEntry, index: number): Promise<DemoLabHost> => {
    const role = e.kind === "vm-guest" ? "vnf-guest" : e.kind === "compliant" || e.kind === "no-nohz-full" || e.kind === "irq-on-isolated" || e.kind === "rt-throttling" ? "compute-rt" : "compute";
    const labels = [`site=${e.site}`, `rack=${e.rack}`, `role=${role}`];
    const simulated = await simulateHost({ index, seed, kind: e.kind, hostname: e.hostname, labels });
    // the RDT host: the agent monitors the DPI VNF, which was a noisy neighbour three hours ago (issue 13)
    const noisy = e.kind === "rdt" ? demoNoisyNeighbour(simulated.sections, now) : null;
    const host = noisy ? { ...simulated, sections: noisy.sections, qosGroups: qosGroupsFromResctrl(noisy.sections.resctrl?.data ?? null) } : simulated;
    const { token } = await createEnrollmentToken({ createdById: null, note: `demo lab: ${e.hostname}`, ttlHours: 1 });
    const agent = await enrollSimulatedAgent(opts.ingestUrl, token, e.hostname);
    await setDemoHostLabels(agent.hostId, labels);

    const phases: HistoryPhase[] = [];
    if (e.driftDaysAgo !== undefined) {
      // Before: tuned like its neighbours; then irqbalance was started and a NIC queue moved onto CPU 12.
      const driftAt = new Date(now.getTime() - Math.min(e.driftDaysAgo * 86400_000, (days * 86400_000) / 2));
      const before = await hostSections(e.kind, host.tweak, { irqbalanceStarted: false });
      phases.push({ from, sections: before, shape: TUNED_RT_SHAPE });
      phases.push({ from: driftAt, sections: host.sections, shape: IRQ_NOISY_SHAPE });
    } else {
      phases.push({ from, sections: host.sections, shape: host.profile.shape });
    }
    const until = e.liveness === "offline" ? new Date(now.getTime() - Math.min((e.offlineDaysAgo ?? 3) * 86400_000, (days * 86400_000) / 2)) : now;
    const bootAt = new Date(from.getTime() - (9 + (index % 5)) * 86400_000);
    const qos = host.qosGroups.length > 0 ? new QosSeries({ groups: host.qosGroups, seed: `${seed}/${e.hostname}`, episodes: noisy?.episodes }) : null;
    const reports = [
      ...historyReports({ host, hostId: agent.hostId, seed, phases, to: until, runEveryMinutes: 60, qos: qos ?? undefined, qosEveryMinutes: 15, qosDense: noisy?.dense, firstSequence: 1, bootAt }),
    ];
    const sent = await sendReports(agent, reports);
    totals.reports += sent.reports;
    totals.latencyRuns += sent.latencyRuns;
    totals.qosSamples += sent.qosSamples;
    if (e.liveness === "offline") await setDemoHostLastSeen(agent.hostId, until);
    if (e.liveness === "stale") await setDemoHostLastSeen(agent.hostId, new Date(Date.now() - STALE_AGE_S * 1000));
    opts.log?.(`${e.hostname.padEnd(13)} ${e.kind.padEnd(16)} ${e.liveness.padEnd(7)} ${sent.reports} reports, ${sent.latencyRuns} latency runs`);
    return { hostname: e.hostname, hostId: agent.hostId, token: agent.hostToken, kind: e.kind, labels, liveness: e.liveness, sim: { host, qos, nextSequence: reports.length + 1, bootAt } };
  };
  // The first host alone: its first report makes the server create the built-in compliance profiles,
  // which concurrent first reports would race on.
  const first = picked[0] ? [await seedOne(picked[0].entry, picked[0].index)] : [];
  const rest = await mapLimit(picked.slice(1), opts.concurrency ?? 3, (e) => seedOne(e.entry, e.index));
  const hosts = [...first, ...rest];
  // VNFs placed on the tuned online hosts (issue 10): the CPUs tab and VNFs page have something to show
  const placements = opts.vnfs === false ? [] : await seedDemoVnfs(hosts.filter((h) => h.liveness === "online" && h.kind !== "vm-guest"));
  for (const p of placements) {
    opts.log?.(p.host ? `VNF ${p.vnf} → ${p.host} CPUs ${p.cpus.join(",")}${p.warnings.length ? `; preview warned: ${p.warnings.join(" | ")}` : ""}` : `VNF ${p.vnf} not placed: ${p.reason}`);
  }
  return { hosts, ...totals };
}

/**
 * A lab host saved by a previous demo run, with its simulation rebuilt (same seed, kind and place in the
 * lab give the same tree and shape), so a restarted demo keeps measuring and taking jobs. Hosts saved
 * without kind/index (older lab files) only heartbeat.
 */
export async function reviveDemoLabHosts(
  saved: readonly (Pick<DemoLabHost, "hostname" | "hostId" | "token" | "liveness"> & { kind?: HostKind; index?: number })[],
  opts: { seed?: string; now?: Date } = {},
): Promise<DemoLabHeartbeatOptions["hosts"]> {
  const seed = opts.seed ?? "nfvdeck-demo-lab";
  const now = opts.now ?? new Date();
  return Promise.all(
    saved.map(async (s) => {
      if (s.kind === undefined || s.index === undefined) return s;
      const simulated = await simulateHost({ index: s.index, seed, kind: s.kind, hostname: s.hostname });
      const noisy = s.kind === "rdt" ? demoNoisyNeighbour(simulated.sections, now) : null;
      const host = noisy ? { ...simulated, sections: noisy.sections, qosGroups: qosGroupsFromResctrl(noisy.sections.resctrl?.data ?? null) } : simulated;
      const qos = host.qosGroups.length > 0 ? new QosSeries({ groups: host.qosGroups, seed: `${seed}/${s.hostname}` }) : null;
      return { ...s, sim: { host, qos, nextSequence: 1, bootAt: new Date(now.getTime() - (16 + (s.index % 5)) * 86400_000) } };
    }),
  );
}

export interface DemoLabHeartbeatOptions {
  ingestUrl: string;
  /** seedDemoLab's hosts (or any {hostname, hostId, token}: those are treated as online compliant hosts) */
  hosts: readonly (Pick<DemoLabHost, "hostname" | "hostId" | "token"> & Partial<Pick<DemoLabHost, "liveness" | "sim">>)[];
  everySeconds?: number;
  /** each online host sends a fresh 5-minute cyclictest run this often */
  latencyEveryMinutes?: number;
  seed?: string;
  log?: (line: string) => void;
  /**
   * Each simulated host's agent state (tuning ledger, job journal) goes in <stateDir>/<hostname>, and its
   * agent takes jobs from the console: tune jobs run the real tune actions on the host's simulated tree,
   * the next report carries the changed sections and later runs the shape the tree earns. Without a
   * stateDir the lab takes no jobs.
   */
  stateDir?: string;
  /** length of the cyclictest run a host starts right after a tuning change (s; default a normal run) */
  afterChangeRunS?: number;
  /** long-poll wait of the simulated agents' job loop (ms) */
  jobPollWaitMs?: number;
}

/**
 * Keeps the lab alive: online hosts heartbeat every `everySeconds` (and now and then send a latency run
 * and resctrl readings), the stale host's last-seen is held a couple of minutes back, offline hosts stay
 * silent. Returns stop(), which waits for the tick in flight.
 */
export function runDemoLabHeartbeats(opts: DemoLabHeartbeatOptions): { stop: () => Promise<void>; ready: Promise<void> } {
  const everyMs = Math.max(1, opts.everySeconds ?? 10) * 1000;
  const latencyEveryMs = (opts.latencyEveryMinutes ?? 15) * 60_000;
  const seed = opts.seed ?? "nfvdeck-demo-lab";
  const startedAt = Date.now();
  type Live = {
    agent: SimulatedAgent;
    liveness: Liveness;
    sim: DemoLabHost["sim"] | null;
    sequence: number;
    nextRunAt: number;
    nextQosAt: number;
    /** the host's latency shape (changes with its tuning) */
    shape: LatencyShape | null;
    tuning: SimulatedTuning | null;
    runner: JobRunner | null;
    /** a tuning change waits to be reported: send every section with the next report */
    sendSections: boolean;
    /** the next run's length and start (a run right after a change starts at the change) */
    nextRun: { durationS: number; startedAt: Date | null; sampleKey?: string };
    /** runs started after a change so far (seeds their samples) */
    changeRuns: number;
    /** one report at a time per host (the tick and a change both send) */
    chain: Promise<void>;
  };
  const live: Live[] = opts.hosts.map((h, i) => ({
    agent: reconnectSimulatedAgent(opts.ingestUrl, { hostname: h.hostname, hostId: h.hostId, hostToken: h.token }),
    liveness: h.liveness ?? "online",
    sim: h.sim ?? null,
    // Sequences above anything the history used, and above a previous demo run's.
    sequence: Math.max(h.sim?.nextSequence ?? 1, startedAt * 10),
    // Staggered so the lab's runs do not all arrive in the same tick.
    nextRunAt: startedAt + ((i * 37_000) % latencyEveryMs),
    nextQosAt: startedAt,
    shape: h.sim?.host.profile.shape ?? null,
    tuning: null,
    runner: null,
    sendSections: false,
    nextRun: { durationS: DEFAULT_RUN.durationS, startedAt: null },
    changeRuns: 0,
    chain: Promise.resolve(),
  }));
  const warned = new Set<string>();
  const sendOne = async (h: Live, now: Date) => {
    const host = h.sim?.host;
    let latencyRuns: ReturnType<typeof simulateHostRun>[] = [];
    if (host && now.getTime() >= h.nextRunAt) {
      const durationS = h.nextRun.durationS;
      const runStart = h.nextRun.startedAt ?? new Date(now.getTime() - durationS * 1000);
      // the run right after a change measures the change: idle (a random 15 % of runs are under
      // stress-ng, whose tail made the after-window's verdict a coin toss)
      // and its samples are seeded by the change's number, not the clock, so a demo (and its tests)
      // shows the same after-run every time
      const afterChange = h.nextRun.sampleKey !== undefined;
      latencyRuns = [
        simulateHostRun(host, {
          seed,
          startedAt: runStart,
          durationS,
          ...(h.shape ? { shape: h.shape } : {}),
          ...(afterChange ? { load: "idle" as const, sampleKey: h.nextRun.sampleKey } : {}),
        }),
      ];
      h.nextRunAt = Math.max(h.nextRunAt, now.getTime()) + latencyEveryMs;
      h.nextRun = { durationS: DEFAULT_RUN.durationS, startedAt: null };
    }
    const qosSamples = h.sim?.qos && now.getTime() >= h.nextQosAt ? h.sim.qos.readAt(now) : [];
    if (qosSamples.length > 0) h.nextQosAt = now.getTime() + 60_000;
    const withSections = h.sendSections && h.tuning !== null;
    const sections = withSections && h.tuning ? await h.tuning.sections() : undefined;
    const sequence = h.sequence++;
    const report = buildSimulatedReport(
      { hostname: h.agent.hostname },
      {
        hostId: h.agent.hostId,
        sequence,
        collectedAt: now,
        latencyRuns,
        qosSamples,
        ...(sections ? { sections } : {}),
        ...(host && h.sim ? { heartbeat: simulatedHeartbeat(host, now, h.sim.bootAt) } : {}),
      },
    );
    try {
      await h.agent.api.report(report);
      if (withSections) h.sendSections = false;
      warned.delete(h.agent.hostId);
    } catch (err) {
      if (!warned.has(h.agent.hostId)) opts.log?.(`demo lab: ${h.agent.hostname} could not report: ${err instanceof Error ? err.message : String(err)}`);
      warned.add(h.agent.hostId);
    }
  };
  /** Queued behind the host's report in flight: reports of one host leave in sequence order. */
  const send = (h: Live, now: Date): Promise<void> => {
    const next = h.chain.then(() => sendOne(h, now));
    h.chain = next.catch(() => undefined);
    return next;
  };
  const tick = async () => {
    const now = new Date();
    await mapLimit(live, 8, async (h) => {
      if (h.liveness === "offline") return;
      if (h.liveness === "stale") {
        await setDemoHostLastSeen(h.agent.hostId, new Date(now.getTime() - STALE_AGE_S * 1000));
        return;
      }
      await send(h, now);
    });
  };
  // The online simulated hosts' agents take jobs (tuning) as a real agent does.
  const afterChangeRunS = Math.max(1, Math.round(opts.afterChangeRunS ?? DEFAULT_RUN.durationS));
  const stateDir = opts.stateDir;
  const starting = stateDir
    ? Promise.all(
        live
          .filter((h) => h.liveness === "online" && h.sim)
          .map(async (h) => {
            const sim = h.sim as DemoLabHost["sim"];
            const hostState = path.join(stateDir, h.agent.hostname.replace(/[^A-Za-z0-9._-]/g, "_"));
            const tuning = await SimulatedTuning.create(sim.host, hostState);
            h.tuning = tuning;
            h.shape = tuning.shape();
            // a restarted demo replays the ledger: report the tree as it is
            h.sendSections = h.shape !== sim.host.profile.shape;
            let changed = false;
            const catalogue = tuning.catalogue((e) => {
              h.shape = tuning.shape();
              h.sendSections = true;
              changed = true;
              opts.log?.(`demo lab: ${h.agent.hostname} ${e.outcome.mode} ${e.outcome.action} done; reporting the changed tree`);
            });
            const runner = new JobRunner({
              api: async () => h.agent.api,
              stateDir: hostState,
              root: tuning.fs.root,
              catalogue,
              pollWaitMs: opts.jobPollWaitMs ?? 25_000,
              log: (l) => opts.log?.(`demo lab ${h.agent.hostname}: ${l}`),
            });
            // the changed sections go out at once, not at the next heartbeat
            const handle = runner.handle.bind(runner);
            runner.handle = async (api, offer) => {
              await handle(api, offer);
              if (!changed) return;
              changed = false;
              // cyclictest starts again once the job has ended: its run measures only the new state
              // (the console's "after" window begins when the job finished)
              const at = new Date();
              h.nextRunAt = at.getTime() + afterChangeRunS * 1000;
              h.nextRun = { durationS: afterChangeRunS, startedAt: at, sampleKey: `after-change/${++h.changeRuns}` };
              if (h.sendSections) await send(h, at);
            };
            h.runner = runner;
            runner.start();
          }),
      ).catch((err: unknown) => opts.log?.(`demo lab: simulated agents could not take jobs: ${err instanceof Error ? err.message : String(err)}`))
    : Promise.resolve();
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return; // the previous tick is still sending: skip, as a busy agent would
    inFlight = tick()
      .catch((err: unknown) => opts.log?.(`demo lab: heartbeat tick failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        inFlight = null;
      });
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await starting;
      await Promise.all(live.map((h) => h.runner?.stop()));
      if (inFlight) await inFlight;
      await Promise.all(live.map((h) => h.chain));
    },
    ready: starting.then(() => undefined),
  };
}
