import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AgentFinishJob, AgentJobLease, AgentJobOffer, JobJson, JobState } from "@/server/contract/job";
import { JOB_CATALOGUE, type CatalogueEntry } from "@/agent/jobs/catalogue";
import { ensureStateDir, writeFileDurable } from "@/agent/state";
import { DEFAULT_BACKOFF, fullJitterDelayMs } from "@/agent/transport/backoff";

/** The part of the agent API the runner needs (agent/transport/client.ts implements it). */
export interface JobApi {
  nextJob(waitMs: number, signal?: AbortSignal): Promise<AgentJobOffer | null>;
  startJob(jobId: string): Promise<AgentJobLease>;
  renewJob(jobId: string, progress: JobJson | null): Promise<AgentJobLease>;
  finishJob(input: AgentFinishJob): Promise<{ state: JobState }>;
}

export interface JobRunnerOptions {
  api: () => Promise<JobApi>;
  stateDir: string;
  /** the host root the actions work on ("/" in production, a fixture copy in tests) */
  root: string;
  /** the actions this agent runs; tests pass their own */
  catalogue?: Readonly<Record<string, CatalogueEntry>>;
  /** how long one long-poll waits on the server */
  pollWaitMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
}

/** The marker written (durably) before a job starts and removed after its outcome is delivered. */
const inFlightSchema = z
  .object({
    jobId: z.string(),
    kind: z.string(),
    params: z.unknown(),
    startedAt: z.string(),
    /** set when the job ended but the server could not be told: sent as is on the next start */
    outcome: z.custom<AgentFinishJob>((v) => typeof v === "object" && v !== null).optional(),
  })
  .strict();
type InFlight = z.infer<typeof inFlightSchema>;

export const JOBS_DIR = "jobs";
export const IN_FLIGHT_FILE = "in-flight.json";
export const JOURNAL_FILE = "journal.jsonl";

/**
 * The agent's job loop: long-poll the agent port for this host's next job, run it if (and only if) it
 * is in the catalogue and its parameters pass the action's own schema, renew the lease every second
 * with the latest progress (the answer carries the operator's cancel), post the outcome.
 *
 * Never twice: "job X started" is on disk before the job starts. After a crash or kill the next start
 * finds it, asks the host what happened (for a migration, QEMU's query-migrate), and reports the job
 * failed with that — it never runs it again.
 */
export class JobRunner {
  private readonly opts: JobRunnerOptions;
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly pollAbort = new AbortController();
  private current: AbortController | null = null;
  private failures = 0;

  constructor(opts: JobRunnerOptions) {
    this.opts = opts;
  }

  private get dir(): string {
    return path.join(this.opts.stateDir, JOBS_DIR);
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`nfvdeck-agent jobs: ${line}`);
  }

  private now(): Date {
    return (this.opts.now ?? (() => new Date()))();
  }

  /** Appends one JSON line to the local journal (state dir, 0600): every job, with its id, and what became of it. */
  async journal(jobId: string, event: string, detail: Record<string, unknown> = {}): Promise<void> {
    await ensureStateDir(this.dir);
    const line = JSON.stringify({ at: this.now().toISOString(), jobId, event, ...detail });
    await fsp.appendFile(path.join(this.dir, JOURNAL_FILE), `${line}\n`, { mode: 0o600 });
  }

  start(): void {
    this.loop = this.run();
  }

  /**
   * One offer (already claimed by agent.jobs.next), start to finish, outside the poll loop: what the
   * loop does with each offer. The native agent's job-exec runs this in a child for every job.
   */
  async runOffer(offer: AgentJobOffer): Promise<void> {
    await this.handle(await this.opts.api(), offer);
  }

  /** The restart inspection the loop does before every poll (the native agent's job-recover). */
  async recover(): Promise<void> {
    await this.recoverInterrupted(await this.opts.api());
  }

  /** Stops polling; a job in progress is aborted (a migration is cancelled, the VM stays on the source). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pollAbort.abort();
    this.current?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const api = await this.opts.api();
        await this.recoverInterrupted(api);
        const offer = await api.nextJob(this.opts.pollWaitMs ?? 25_000, this.pollAbort.signal);
        this.failures = 0;
        if (offer) await this.handle(api, offer);
      } catch (err) {
        if (this.stopping) break;
        const delay = fullJitterDelayMs(DEFAULT_BACKOFF, this.failures++);
        if (this.failures === 1) this.log(`job poll failed (${err instanceof Error ? err.message : String(err)}); retrying in ${delay} ms`);
        await this.pause(delay);
      }
    }
  }

  /** A backoff that stop() cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.pollAbort.signal;
      const t = setTimeout(() => {
        signal.removeEventListener("abort", done);
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private async readInFlight(): Promise<InFlight | null> {
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.dir, IN_FLIGHT_FILE), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    const parsed = inFlightSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${path.join(this.dir, IN_FLIGHT_FILE)} is corrupt; remove it after checking the host`);
    return parsed.data;
  }

  private async clearInFlight(): Promise<void> {
    await fsp.rm(path.join(this.dir, IN_FLIGHT_FILE), { force: true });
  }

  /** A job marked started by a previous run of this agent: report what the host says, end it failed. */
  async recoverInterrupted(api: JobApi): Promise<void> {
    const found = await this.readInFlight();
    if (!found) return;
    if (found.outcome) {
      await api.finishJob(found.outcome);
      await this.journal(found.jobId, "delivered-late", { outcome: found.outcome.outcome });
      await this.clearInFlight();
      return;
    }
    const accepted = (this.opts.catalogue ?? JOB_CATALOGUE)[found.kind]?.accept(found.params);
    const seen = accepted?.ok ? await accepted.job.inspectAfterRestart() : "the job's parameters no longer validate";
    const reason = `the agent restarted during the job (started ${found.startedAt}); not re-run; ${seen}`;
    this.log(`job ${found.jobId}: ${reason}`);
    await api.finishJob({ jobId: found.jobId, outcome: "failed", reason, result: { type: "interrupted", found: seen } });
    await this.journal(found.jobId, "interrupted", { kind: found.kind, reason });
    await this.clearInFlight();
  }

  private async refuse(api: JobApi, offer: AgentJobOffer, reason: string): Promise<void> {
    this.log(`job ${offer.id} refused: ${reason}`);
    await this.journal(offer.id, "refused", { kind: offer.kind, reason });
    await api.finishJob({ jobId: offer.id, outcome: "refused", reason, result: null });
  }

  async handle(api: JobApi, offer: AgentJobOffer): Promise<void> {
    await this.journal(offer.id, "received", { kind: offer.kind, attempts: offer.attempts });
    const catalogue = this.opts.catalogue ?? JOB_CATALOGUE;
    const entry = Object.hasOwn(catalogue, offer.kind) ? catalogue[offer.kind] : undefined;
    if (!entry) return this.refuse(api, offer, `unknown action "${offer.kind.slice(0, 64)}": not in this agent's catalogue`);
    const accepted = entry.accept(offer.params);
    if (!accepted.ok) return this.refuse(api, offer, `invalid parameters: ${accepted.error}`);
    const job = accepted.job;

    // durably on disk BEFORE the job starts: a crash from here on can never lead to a second run
    await ensureStateDir(this.dir);
    const marker: InFlight = { jobId: offer.id, kind: offer.kind, params: offer.params, startedAt: this.now().toISOString() };
    await writeFileDurable(path.join(this.dir, IN_FLIGHT_FILE), `${JSON.stringify(marker)}\n`);
    let lease: AgentJobLease;
    try {
      lease = await api.startJob(offer.id);
    } catch (err) {
      // not started on the server (it fails the job when the lease runs out); nothing ran here
      await this.journal(offer.id, "not-started", { reason: err instanceof Error ? err.message : String(err) });
      await this.clearInFlight();
      throw err;
    }
    if (lease.cancelRequested || lease.state !== "running") {
      await this.journal(offer.id, "cancelled-before-start", { state: lease.state });
      await this.deliver(api, { jobId: offer.id, outcome: "cancelled", reason: "cancelled before it started", result: null });
      return;
    }
    await this.journal(offer.id, "started", { kind: offer.kind, action: job.description });
    this.log(`job ${offer.id}: ${job.description}`);

    const abort = new AbortController();
    this.current = abort;
    let latest: JobJson | null = null;
    let sent: JobJson | null = null;
    let abortReason: string | null = null;
    const renew = async () => {
      const progress = latest !== sent ? latest : null;
      try {
        const l = await api.renewJob(offer.id, progress);
        sent = progress ?? sent;
        if ((l.cancelRequested || l.state !== "running") && !abort.signal.aborted) {
          abortReason = l.cancelRequested ? "cancelled by an operator" : `the server ended the job (${l.state})`;
          await this.journal(offer.id, "abort", { reason: abortReason });
          abort.abort(new Error(abortReason));
        }
      } catch {
        // a missed renewal is retried next tick; the lease outlasts several
      }
    };
    let renewing: Promise<void> | null = null;
    const timer = setInterval(() => {
      renewing ??= renew().finally(() => (renewing = null));
    }, Math.max(100, offer.renewEveryMs));
    let outcome: AgentFinishJob;
    try {
      const out = await job.run({
        signal: abort.signal,
        onProgress: (p) => {
          latest = p;
        },
        stateDir: this.opts.stateDir,
        root: this.opts.root,
      });
      outcome = { jobId: offer.id, outcome: out.outcome, reason: out.reason ?? (out.outcome === "cancelled" ? abortReason : null), result: out.result };
    } catch (err) {
      outcome = { jobId: offer.id, outcome: abort.signal.aborted ? "cancelled" : "failed", reason: abortReason ?? (err instanceof Error ? err.message : String(err)), result: null };
    } finally {
      clearInterval(timer);
      await renewing;
      this.current = null;
    }
    if (latest !== null && latest !== sent) await renew();
    await this.journal(offer.id, "finished", { outcome: outcome.outcome, reason: outcome.reason });
    await this.deliver(api, outcome);
  }

  /** Posts the outcome, retrying a few times; the in-flight marker goes only once the server has it. */
  private async deliver(api: JobApi, outcome: AgentFinishJob): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await api.finishJob(outcome);
        await this.clearInFlight();
        return;
      } catch (err) {
        if (attempt >= 5 || this.stopping) {
          // kept on disk with the outcome: the next poll (or the next start) delivers it
          this.log(`job ${outcome.jobId}: outcome not delivered yet (${err instanceof Error ? err.message : String(err)})`);
          const marker = await this.readInFlight();
          if (marker) await writeFileDurable(path.join(this.dir, IN_FLIGHT_FILE), `${JSON.stringify({ ...marker, outcome })}\n`);
          return;
        }
        await this.pause(fullJitterDelayMs(DEFAULT_BACKOFF, attempt));
      }
    }
  }
}
