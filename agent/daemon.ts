import { randomUUID } from "node:crypto";
import type { HostFs } from "@/agent/hostfs";
import { SECTION_COLLECTORS, type SectionCollector } from "@/agent/collectors/registry";
import { collectSections, readHostname, AGENT_VERSION } from "@/agent/report/collect";
import { cleanStrings } from "@/agent/report/clean-text";
import type { ReportOutput, ReportPayload, ReportSections, SectionName } from "@/server/contract/report";
import type { LatencyRunReport } from "@/server/contract/sections/latency";
import type { QosSample } from "@/server/contract/sections/qos";
import type { Credentials } from "@/agent/state";
import { loadLastSequence, saveLastSequence } from "@/agent/state";
import type { AgentApi } from "@/agent/transport/client";
import { DEFAULT_BACKOFF, fullJitterDelayMs, type BackoffPolicy } from "@/agent/transport/backoff";
import { DEFAULT_SPOOL_LIMITS, Spool, type SpoolLimits } from "@/agent/transport/spool";

export type LatencySchedule = NonNullable<ReportOutput["config"]["latencySchedule"]>;

export interface DaemonOptions {
  stateDir: string;
  fs: HostFs;
  credentials: Credentials;
  /** created lazily on the first send, so a cycle that has nothing to send never loads the client */
  api: () => Promise<AgentApi>;
  /** explicit --heartbeat: wins over the server's heartbeatSeconds */
  heartbeatMs?: number;
  /** send every section at least this often even when unchanged (default 1 h) */
  fullEveryMs?: number;
  /**
   * Minimum time between two collections of a section (default SECTION_REFRESH_MS); sections not due
   * keep their last envelope. 0 everywhere = collect every section every heartbeat.
   */
  sectionRefreshMs?: Partial<Record<SectionName, number>>;
  backoff?: BackoffPolicy;
  spoolLimits?: SpoolLimits;
  /** tries of one report the server answers with an internal error before it is set aside (default 5) */
  maxServerErrorTries?: number;
  collectors?: readonly SectionCollector[];
  /** housekeeping CPU list for cyclictest's main thread (--mainaffinity) */
  housekeepingCpus?: string | null;
  /** runs one scheduled cyclictest measurement (default: the real latency collector, loaded on first use) */
  runLatency?: (schedule: LatencySchedule, housekeeping: string | null, runKey: string) => Promise<LatencyRunReport>;
  /** QoS samples gathered since the last call (resctrl monitoring); none by default */
  takeQosSamples?: () => Promise<QosSample[]>;
  log?: (line: string) => void;
  verbose?: boolean;
}

const DEFAULT_HEARTBEAT_MS = 10_000;
const HOUR_MS = 3_600_000;
/** sequence numbers reserved per durable write: a restart skips at most this many, never reuses one */
const SEQUENCE_BLOCK = 1000;
const MAX_LATENCY_RUNS_PER_REPORT = 20;
const MAX_QOS_PER_REPORT = 2000;
export const DEFAULT_MAX_SERVER_ERROR_TRIES = 5;

/**
 * A failure that says "this report breaks the server" (HTTP 500, 501, 505…), as opposed to "the server
 * is away" (no answer, 502/503/504 from a proxy or an outage), which must never cost a report. Pure.
 */
export function isReportFault(status: number | null): boolean {
  return status !== null && status >= 500 && status !== 502 && status !== 503 && status !== 504;
}

type Envelope = NonNullable<ReportSections[SectionName]>;

/**
 * How often a section is re-collected. What changes at run time (IRQ affinity, hugepages, cpuidle and
 * governor, resctrl, KVM parameters) is read every heartbeat; what changes only with a reboot, a CPU
 * hotplug or an operator's sysctl is read every minute; BIOS (dmidecode fork, maybe a BMC over the
 * network) every hour. Unlisted sections: every heartbeat.
 */
export const SECTION_REFRESH_MS: Partial<Record<SectionName, number>> = {
  topology: 60_000,
  kernel: 60_000,
  bios: HOUR_MS,
};

/** What identifies a section's state on the server: content hash plus its ok/available flags. */
function signature(e: Envelope): string {
  return `${e.ok ? 1 : 0}${e.available ? 1 : 0}:${e.hash}`;
}

/**
 * Static sections to put in this report: all of them when `full`, else those whose signature differs
 * from the last DELIVERED report's, or from the last QUEUED one's (so A→B→A during an outage still
 * sends A after the queued B). Pure.
 */
export function selectSections(
  current: ReportSections,
  delivered: ReadonlyMap<SectionName, string>,
  queued: ReadonlyMap<SectionName, string>,
  full: boolean,
): ReportSections {
  const out: Partial<Record<SectionName, Envelope>> = {};
  for (const [name, envelope] of Object.entries(current) as [SectionName, Envelope | undefined][]) {
    if (!envelope) continue;
    const sig = signature(envelope);
    if (full || delivered.get(name) !== sig || queued.get(name) !== sig) out[name] = envelope;
  }
  return out as ReportSections;
}

/**
 * The `run` loop. Two independent activities:
 * - every heartbeat, collect and append one report to the durable spool (never blocks on the network);
 * - a sender drains the spool oldest-first; on failure it backs off (full jitter) and retries the same
 *   report, so delivery is in order and a resend carries the same idempotency key (stored once).
 */
export class AgentDaemon {
  private readonly opts: DaemonOptions;
  private spool!: Spool;
  private api: AgentApi | null = null;
  private nextSequence = 0;
  private reservedUpTo = -1;
  private heartbeatMs: number;
  private serverHeartbeatMs: number | null = null;
  private lastFullAt = -Infinity;
  private readonly delivered = new Map<SectionName, string>();
  private readonly queued = new Map<SectionName, string>();
  private readonly pendingLatency: LatencyRunReport[] = [];
  private readonly lastEnvelope = new Map<SectionName, Envelope>();
  private readonly collectedAt = new Map<SectionName, number>();
  private latencySchedule: LatencySchedule | null = null;
  private nextLatencyAt = 0;
  private latencyRunning = false;
  private stopping = false;
  private cycleTimer: NodeJS.Timeout | null = null;
  private wakeSender: (() => void) | null = null;
  private senderDone: Promise<void> = Promise.resolve();
  private cycleInFlight: Promise<void> = Promise.resolve();
  private failures = 0;
  /** consecutive report faults (isReportFault) of the report at the head of the spool */
  private headFaults: { sequence: number; count: number } | null = null;
  private rejected = 0;
  private lastDroppedLogged = 0;
  private stopped!: () => void;
  readonly done: Promise<void>;

  constructor(opts: DaemonOptions) {
    this.opts = opts;
    this.heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.done = new Promise((resolve) => (this.stopped = resolve));
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`nfvdeck-agent: ${line}`);
  }

  /** Open the spool, restore the sequence, start the loops. Resolves once running; `done` resolves after stop(). */
  async start(): Promise<void> {
    this.spool = await Spool.open(`${this.opts.stateDir}/spool`, this.opts.spoolLimits ?? DEFAULT_SPOOL_LIMITS);
    const last = Math.max(await loadLastSequence(this.opts.stateDir), this.spool.lastSequence);
    this.nextSequence = last + 1;
    if (this.spool.files > 0) this.log(`${this.spool.files} undelivered report(s) in the spool, resending from sequence ${this.spool.oldest()?.sequence}`);
    this.senderDone = this.sendLoop();
    this.scheduleCycle(0);
  }

  /** Graceful stop: no new cycle, the current one finishes and is spooled, the sender stops after its in-flight request. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    if (this.cycleTimer) clearTimeout(this.cycleTimer);
    this.wakeSender?.();
    await this.cycleInFlight;
    await this.senderDone;
    this.stopped();
    return this.done;
  }

  get status() {
    return { nextSequence: this.nextSequence, spooled: this.spool?.files ?? 0, dropped: this.spool?.dropped, rejected: this.rejected, setAside: this.spool?.setAside ?? 0, heartbeatMs: this.heartbeatMs };
  }

  private scheduleCycle(delayMs: number): void {
    if (this.stopping) return;
    this.cycleTimer = setTimeout(() => {
      const started = Date.now();
      this.cycleInFlight = this.cycle().catch((err: unknown) => this.log(`collection cycle failed: ${err instanceof Error ? err.message : String(err)}`));
      void this.cycleInFlight.then(() => this.scheduleCycle(Math.max(0, started + this.heartbeatMs - Date.now())));
    }, delayMs);
  }

  private async takeSequence(): Promise<number> {
    const seq = this.nextSequence++;
    if (seq > this.reservedUpTo) {
      this.reservedUpTo = seq + SEQUENCE_BLOCK - 1;
      await saveLastSequence(this.opts.stateDir, this.reservedUpTo);
    }
    return seq;
  }

  /** One heartbeat: collect, pick what to send, append to the spool, wake the sender. */
  private async cycle(): Promise<void> {
    const { fs } = this.opts;
    const now = Date.now();
    const full = now - this.lastFullAt >= (this.opts.fullEveryMs ?? HOUR_MS) || this.spool.takeStaticDropped();
    if (full) this.lastFullAt = now;
    const current = await this.collectDue(now, full);
    const sections = selectSections(current, this.delivered, this.queued, full);
    this.maybeStartLatencyRun(now);
    const latencyRuns = this.pendingLatency.splice(0, MAX_LATENCY_RUNS_PER_REPORT);
    const qosSamples = this.opts.takeQosSamples ? (await this.opts.takeQosSamples()).slice(0, MAX_QOS_PER_REPORT) : [];
    const sequence = await this.takeSequence();
    const payload: ReportPayload = {
      hostId: this.opts.credentials.hostId,
      idempotencyKey: `${this.opts.credentials.hostId}:${sequence}`,
      sequence,
      collectedAt: new Date(now).toISOString(),
      agentVersion: AGENT_VERSION,
      hostname: await readHostname(fs),
      heartbeat: await this.heartbeat(),
      sections,
      // sections are cleaned as they are collected; these come from cyclictest output and resctrl group names
      latencyRuns: cleanStrings(latencyRuns),
      qosSamples: cleanStrings(qosSamples),
    };
    const evicted = await this.spool.append(sequence, payload);
    for (const [name, envelope] of Object.entries(sections) as [SectionName, Envelope | undefined][]) {
      if (envelope) this.queued.set(name, signature(envelope));
    }
    if (evicted.length > 0 && this.spool.dropped.reports - this.lastDroppedLogged >= 1) {
      this.lastDroppedLogged = this.spool.dropped.reports;
      const d = this.spool.dropped;
      this.log(`spool full (${this.spool.files} files, ${this.spool.bytes} bytes): dropped so far ${d.reports} report(s), ${d.latencyRuns} latency run(s), ${d.qosSamples} QoS sample(s), ${d.staticReports} with static sections`);
    }
    if (this.opts.verbose) this.log(`spooled sequence ${sequence} (${Object.keys(sections).length} section(s), ${latencyRuns.length} run(s), ${qosSamples.length} QoS)`);
    this.wakeSender?.();
  }

  /** Collect the sections that are due (all of them on a full cycle); reuse the last envelope of the others. */
  private async collectDue(now: number, full: boolean): Promise<ReportSections> {
    const refresh = this.opts.sectionRefreshMs ?? SECTION_REFRESH_MS;
    const all = this.opts.collectors ?? SECTION_COLLECTORS;
    const due = all.filter((c) => {
      const last = this.collectedAt.get(c.name);
      return full || last === undefined || now - last >= (refresh[c.name] ?? 0);
    });
    const fresh = await collectSections(this.opts.fs, due);
    const out: Partial<Record<SectionName, Envelope>> = {};
    for (const c of all) {
      const envelope = fresh[c.name] ?? this.lastEnvelope.get(c.name);
      if (!envelope) continue;
      if (fresh[c.name]) {
        this.lastEnvelope.set(c.name, envelope);
        this.collectedAt.set(c.name, now);
      }
      out[c.name] = envelope;
    }
    return out as ReportSections;
  }

  private async heartbeat(): Promise<ReportPayload["heartbeat"]> {
    const uptime = Number((await this.opts.fs.readTextOptional("proc/uptime"))?.split(/\s+/)[0]);
    const load = ((await this.opts.fs.readTextOptional("proc/loadavg")) ?? "").split(/\s+/).slice(0, 3).map(Number);
    const [l1 = 0, l5 = 0, l15 = 0] = load.map((v) => (Number.isFinite(v) && v >= 0 ? v : 0));
    return {
      uptimeS: Number.isFinite(uptime) && uptime >= 0 ? uptime : 0,
      loadavg: [l1, l5, l15],
      agentRssBytes: process.memoryUsage.rss(),
      // so the server sees loss: reports evicted from the full spool, and reports it refused
      spoolDropped: this.spool.dropped.reports,
      rejected: this.rejected,
      setAside: this.spool.setAside,
    };
  }

  private maybeStartLatencyRun(now: number): void {
    const schedule = this.latencySchedule;
    if (!schedule || this.latencyRunning || this.stopping || now < this.nextLatencyAt) return;
    this.latencyRunning = true;
    this.nextLatencyAt = now + schedule.everyMinutes * 60_000;
    const runKey = randomUUID();
    const runner = this.opts.runLatency ?? defaultLatencyRunner;
    void runner(schedule, this.opts.housekeepingCpus ?? null, runKey)
      .then((run) => {
        this.pendingLatency.push(run);
      })
      .catch((err: unknown) => this.log(`scheduled latency run failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.latencyRunning = false;
      });
  }

  private applyConfig(config: ReportOutput["config"]): void {
    const serverMs = config.heartbeatSeconds * 1000;
    if (this.opts.heartbeatMs === undefined && serverMs !== this.heartbeatMs) {
      this.log(`heartbeat ${this.heartbeatMs / 1000} s → ${config.heartbeatSeconds} s (server config)`);
      this.heartbeatMs = serverMs;
    }
    this.serverHeartbeatMs = serverMs;
    const before = JSON.stringify(this.latencySchedule);
    if (JSON.stringify(config.latencySchedule) !== before) {
      this.latencySchedule = config.latencySchedule;
      this.nextLatencyAt = 0; // a new or changed schedule runs at the next heartbeat
      this.log(config.latencySchedule ? `latency schedule: cpus ${config.latencySchedule.cpus} every ${config.latencySchedule.everyMinutes} min` : "latency schedule: none");
    }
  }

  private waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSender = () => {
        this.wakeSender = null;
        resolve();
      };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeSender = null;
        resolve();
      }, ms);
      // stop() must not wait for a long backoff; new reports do not cut a backoff short
      this.wakeSender = () => {
        if (!this.stopping) return;
        clearTimeout(t);
        this.wakeSender = null;
        resolve();
      };
    });
  }

  private async sendLoop(): Promise<void> {
    const { classifyDeliveryError } = await import("@/agent/transport/client");
    while (!this.stopping) {
      const entry = this.spool.oldest();
      if (!entry) {
        await this.waitForWork();
        continue;
      }
      let payload: ReportPayload;
      try {
        payload = await this.spool.read(entry);
      } catch (err) {
        // evicted meanwhile, or unreadable: nothing to send for it
        this.log(`spooled report ${entry.sequence} unreadable (${err instanceof Error ? err.message : String(err)}); skipped`);
        await this.spool.remove(entry.sequence);
        continue;
      }
      try {
        this.api ??= await this.opts.api();
        const out = await this.api.report(payload);
        await this.spool.remove(entry.sequence);
        for (const [name, envelope] of Object.entries(payload.sections ?? {}) as [SectionName, Envelope | undefined][]) {
          if (envelope) this.delivered.set(name, signature(envelope));
        }
        if (this.failures > 0) this.log(`server reachable again after ${this.failures} failed attempt(s); ${this.spool.files} report(s) still spooled`);
        this.failures = 0;
        if (this.opts.verbose) this.log(`delivered sequence ${entry.sequence}${out.duplicate ? " (duplicate, already stored)" : ""}`);
        this.applyConfig(out.config);
      } catch (err) {
        const failure = classifyDeliveryError(err);
        if (isReportFault(failure.status)) {
          const count = this.headFaults?.sequence === entry.sequence ? this.headFaults.count + 1 : 1;
          this.headFaults = { sequence: entry.sequence, count };
          if (count >= (this.opts.maxServerErrorTries ?? DEFAULT_MAX_SERVER_ERROR_TRIES)) {
            const kept = await this.spool.setAsideReport(entry.sequence);
            this.headFaults = null;
            this.failures = 0;
            this.log(`server failed report ${entry.sequence} ${count} times (HTTP ${failure.status}: ${failure.message.slice(0, 200)}); set aside as ${kept ?? "(gone)"} (${this.spool.setAside} set aside so far), moving on`);
            continue;
          }
        }
        if (failure.action === "reject") {
          this.rejected += 1;
          this.log(`server rejected report ${entry.sequence} (HTTP ${failure.status}): ${failure.message.slice(0, 300)}; dropped (${this.rejected} rejected so far)`);
          await this.spool.remove(entry.sequence);
          continue;
        }
        const delay = fullJitterDelayMs(this.opts.backoff ?? DEFAULT_BACKOFF, this.failures);
        if (this.failures === 0 || this.opts.verbose) {
          this.log(`cannot deliver report ${entry.sequence} (${failure.status === null ? "no answer" : `HTTP ${failure.status}`}: ${failure.message.slice(0, 200)}); spooling, retry in ${delay} ms`);
        }
        this.failures += 1;
        await this.sleep(delay);
      }
    }
  }
}

/** The real cyclictest runner, loaded only when a schedule asks for a run. */
async function defaultLatencyRunner(schedule: LatencySchedule, housekeeping: string | null, runKey: string): Promise<LatencyRunReport> {
  const { runCyclictest } = await import("@/agent/collectors/latency");
  const out = await runCyclictest(
    {
      cpus: schedule.cpus,
      housekeeping,
      priority: schedule.priority,
      intervalUs: schedule.intervalUs,
      durationS: schedule.durationS,
      histogramSize: schedule.histogramSize,
      load: schedule.load,
    },
    runKey,
  );
  return out.run;
}
