import pg from "pg";
import { JOB_CHANNEL } from "@/server/repo/jobs";

/**
 * One dedicated PostgreSQL connection per process that LISTENs on the jobs channel and wakes the
 * long-polls waiting for that host. A NOTIFY is sent on commit of every job insert or cancel, by
 * whichever process made the change, so every agent-API process sees it. Reconnects on error; the
 * long-poll also re-checks on its own every few seconds, so a notification lost during a reconnect
 * costs a few seconds, never a job.
 */
class JobListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly waiters = new Map<string, Set<() => void>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  /** Resolves once the LISTEN is in place (or failed; the caller's periodic re-check covers that). */
  ensureListening(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const url = process.env.DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url, application_name: "nfvdeck-job-listener" });
    client.on("notification", (msg) => {
      if (msg.channel === JOB_CHANNEL && msg.payload) this.wake(msg.payload);
    });
    client.on("error", () => this.drop(client));
    client.on("end", () => this.drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_CHANNEL}`);
      this.client = client;
      // anything missed while disconnected: let every waiter look again
      for (const host of [...this.waiters.keys()]) this.wake(host);
    } catch {
      await client.end().catch(() => undefined);
      this.scheduleRetry();
    }
  }

  private drop(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry() {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.waiters.size > 0) void this.ensureListening();
    }, 1000);
    this.retryTimer.unref();
  }

  private wake(hostId: string) {
    const set = this.waiters.get(hostId);
    if (!set) return;
    this.waiters.delete(hostId);
    for (const w of set) w();
  }

  /**
   * A promise that resolves on the next notification for `hostId` (or when `ms` passes, or `signal`
   * aborts). Register BEFORE checking the queue, so a job inserted in between is not missed.
   */
  waitFor(hostId: string, ms: number, signal?: AbortSignal): { promise: Promise<"notified" | "timeout" | "aborted">; cancel: () => void } {
    let done: (v: "notified" | "timeout" | "aborted") => void = () => undefined;
    const promise = new Promise<"notified" | "timeout" | "aborted">((resolve) => (done = resolve));
    const set = this.waiters.get(hostId) ?? new Set<() => void>();
    this.waiters.set(hostId, set);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      set.delete(onNotify);
      if (set.size === 0 && this.waiters.get(hostId) === set) this.waiters.delete(hostId);
    };
    const onNotify = () => {
      cleanup();
      done("notified");
    };
    const onAbort = () => {
      cleanup();
      done("aborted");
    };
    const timer = setTimeout(() => {
      cleanup();
      done("timeout");
    }, ms);
    set.add(onNotify);
    signal?.addEventListener("abort", onAbort, { once: true });
    return { promise, cancel: cleanup };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

const globalForListener = globalThis as unknown as { nfvdeckJobListener?: JobListener };

export function jobListener(): JobListener {
  globalForListener.nfvdeckJobListener ??= new JobListener();
  return globalForListener.nfvdeckJobListener;
}

export async function closeJobListener(): Promise<void> {
  await globalForListener.nfvdeckJobListener?.close();
  globalForListener.nfvdeckJobListener = undefined;
}
