import { promises as fsp } from "node:fs";
import path from "node:path";
import type { ReportPayload } from "@/server/contract/report";
import { syncDir, writeFileDurable } from "@/agent/state";

/**
 * Bounded on-disk store-and-forward queue of reports: one file per report, named by its zero-padded
 * sequence (so a directory listing sorts in send order), written durably (fsync before rename).
 *
 * Eviction, only when a bound is hit: first the oldest reports that carry no static section (heartbeat,
 * latency runs, QoS samples: later ones supersede them); only if none is left, the oldest report with
 * static sections, and then `staticDropped` tells the caller to send every section again so the
 * server's view converges. Everything dropped is counted (persisted in dropped.json).
 * A report the server keeps failing is set aside (set-aside/, counted in set-aside.json) by the sender.
 */
export interface SpoolLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_SPOOL_LIMITS: SpoolLimits = { maxFiles: 10_000, maxBytes: 64 * 1024 * 1024 };

export interface SpoolEntry {
  sequence: number;
  file: string;
  bytes: number;
  /** carries at least one static section (topology, kernel, …) */
  hasStatic: boolean;
  latencyRuns: number;
  qosSamples: number;
}

export interface DroppedCounts {
  reports: number;
  staticReports: number;
  latencyRuns: number;
  qosSamples: number;
}

const NAME = /^(\d{16})\.json$/;
const DROPPED_FILE = "dropped.json";
/** Reports the server kept failing, moved out of the queue (kept for a human) and their persisted count. */
export const SET_ASIDE_DIR = "set-aside";
const SET_ASIDE_COUNT_FILE = "set-aside.json";
/** Set-aside files kept on disk (the oldest beyond it are deleted; all stay counted). */
const MAX_SET_ASIDE_FILES = 100;

export function spoolFileName(sequence: number): string {
  return `${String(sequence).padStart(16, "0")}.json`;
}

function describe(payload: ReportPayload): Pick<SpoolEntry, "hasStatic" | "latencyRuns" | "qosSamples"> {
  const sections = payload.sections ?? {};
  return {
    hasStatic: Object.values(sections).some((s) => s !== undefined),
    latencyRuns: payload.latencyRuns?.length ?? 0,
    qosSamples: payload.qosSamples?.length ?? 0,
  };
}

export class Spool {
  readonly dir: string;
  readonly limits: SpoolLimits;
  private entries: SpoolEntry[];
  private totalBytes: number;
  private droppedCounts: DroppedCounts;
  /** set when a report with static sections had to be evicted; cleared by takeStaticDropped() */
  private staticDropped = false;
  private setAsideCount: number;

  private constructor(dir: string, limits: SpoolLimits, entries: SpoolEntry[], dropped: DroppedCounts, setAside: number) {
    this.dir = dir;
    this.limits = limits;
    this.entries = entries;
    this.totalBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    this.droppedCounts = dropped;
    this.setAsideCount = setAside;
  }

  /** Open (creating) the spool directory and index what a previous run left in it. Unreadable files are set aside. */
  static async open(dir: string, limits: SpoolLimits = DEFAULT_SPOOL_LIMITS): Promise<Spool> {
    if (!(limits.maxFiles >= 1) || !(limits.maxBytes >= 1)) throw new Error("spool limits must be ≥ 1");
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const entries: SpoolEntry[] = [];
    for (const name of (await fsp.readdir(dir)).sort()) {
      const m = NAME.exec(name);
      if (!m) continue;
      const file = path.join(dir, name);
      try {
        const text = await fsp.readFile(file, "utf8");
        const payload = JSON.parse(text) as ReportPayload;
        entries.push({ sequence: Number(m[1]), file, bytes: Buffer.byteLength(text), ...describe(payload) });
      } catch {
        // A torn or foreign file (should not happen: writes are atomic). Keep it for a human, out of the queue.
        await fsp.rename(file, `${file}.corrupt`).catch(() => undefined);
      }
    }
    let dropped: DroppedCounts = { reports: 0, staticReports: 0, latencyRuns: 0, qosSamples: 0 };
    try {
      dropped = { ...dropped, ...(JSON.parse(await fsp.readFile(path.join(dir, DROPPED_FILE), "utf8")) as Partial<DroppedCounts>) };
    } catch {
      // first run
    }
    let setAside = 0;
    try {
      const n = (JSON.parse(await fsp.readFile(path.join(dir, SET_ASIDE_COUNT_FILE), "utf8")) as { reports?: unknown }).reports;
      if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) setAside = n;
    } catch {
      // none set aside yet
    }
    return new Spool(dir, limits, entries, dropped, setAside);
  }

  get files(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get dropped(): Readonly<DroppedCounts> {
    return this.droppedCounts;
  }

  /** Reports set aside since the spool was created (cumulative, persisted). */
  get setAside(): number {
    return this.setAsideCount;
  }

  /** Highest sequence in the spool, or -1 (used to never reuse a sequence after a lost state file). */
  get lastSequence(): number {
    return this.entries.at(-1)?.sequence ?? -1;
  }

  /** The next report to send (lowest sequence), or undefined when empty. */
  oldest(): SpoolEntry | undefined {
    return this.entries[0];
  }

  sequences(): number[] {
    return this.entries.map((e) => e.sequence);
  }

  /** True once after a report carrying static sections was evicted: the caller should resend all sections. */
  takeStaticDropped(): boolean {
    const was = this.staticDropped;
    this.staticDropped = false;
    return was;
  }

  /** Durably add a report. Sequences must increase. Evicts per the policy above if a bound would be exceeded. */
  async append(sequence: number, payload: ReportPayload): Promise<SpoolEntry[]> {
    const last = this.entries.at(-1);
    if (last && sequence <= last.sequence) throw new Error(`spool: sequence ${sequence} is not after ${last.sequence}`);
    const text = JSON.stringify(payload);
    const bytes = Buffer.byteLength(text);
    const evicted: SpoolEntry[] = [];
    while (this.entries.length > 0 && (this.entries.length + 1 > this.limits.maxFiles || this.totalBytes + bytes > this.limits.maxBytes)) {
      const victim = this.entries.find((e) => !e.hasStatic) ?? this.entries[0];
      if (!victim) break;
      await this.evict(victim);
      evicted.push(victim);
    }
    if (evicted.length > 0) {
      await syncDir(this.dir);
      await writeFileDurable(path.join(this.dir, DROPPED_FILE), `${JSON.stringify(this.droppedCounts)}\n`);
    }
    const file = path.join(this.dir, spoolFileName(sequence));
    await writeFileDurable(file, text);
    this.entries.push({ sequence, file, bytes, ...describe(payload) });
    this.totalBytes += bytes;
    return evicted;
  }

  async read(entry: SpoolEntry): Promise<ReportPayload> {
    return JSON.parse(await fsp.readFile(entry.file, "utf8")) as ReportPayload;
  }

  /** Remove a delivered (or rejected) report. Unknown sequences are ignored (it may have been evicted meanwhile). */
  async remove(sequence: number): Promise<void> {
    const i = this.entries.findIndex((e) => e.sequence === sequence);
    if (i < 0) return;
    const [entry] = this.entries.splice(i, 1);
    if (!entry) return;
    this.totalBytes -= entry.bytes;
    await fsp.rm(entry.file, { force: true });
  }

  /**
   * Move a report out of the queue into set-aside/ (same file name), so the reports after it can be
   * delivered; counted and persisted. Returns the new path, or null for an unknown sequence.
   */
  async setAsideReport(sequence: number): Promise<string | null> {
    const i = this.entries.findIndex((e) => e.sequence === sequence);
    if (i < 0) return null;
    const [entry] = this.entries.splice(i, 1);
    if (!entry) return null;
    this.totalBytes -= entry.bytes;
    const dir = path.join(this.dir, SET_ASIDE_DIR);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const dest = path.join(dir, path.basename(entry.file));
    await fsp.rename(entry.file, dest);
    this.setAsideCount += 1;
    await syncDir(dir);
    await syncDir(this.dir);
    await writeFileDurable(path.join(this.dir, SET_ASIDE_COUNT_FILE), `${JSON.stringify({ reports: this.setAsideCount })}\n`);
    // bounded: a server that fails everything must not fill the disk
    const kept = (await fsp.readdir(dir)).filter((n) => NAME.test(n)).sort();
    for (const name of kept.slice(0, Math.max(0, kept.length - MAX_SET_ASIDE_FILES))) await fsp.rm(path.join(dir, name), { force: true });
    return dest;
  }

  private async evict(entry: SpoolEntry): Promise<void> {
    this.droppedCounts.reports += 1;
    this.droppedCounts.latencyRuns += entry.latencyRuns;
    this.droppedCounts.qosSamples += entry.qosSamples;
    if (entry.hasStatic) {
      this.droppedCounts.staticReports += 1;
      this.staticDropped = true;
    }
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    this.totalBytes -= entry.bytes;
    await fsp.rm(entry.file, { force: true });
  }
}
