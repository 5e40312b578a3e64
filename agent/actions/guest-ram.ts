/**
 * How much of a QEMU guest's RAM is not zero, read from the host before a migration (read-only): the
 * pre-flight prediction needs it because QEMU sends a zero page as a ~9-byte header, so the first pass
 * costs the non-zero part of RAM, not all of it (an idle 256 MiB TCG guest: 115 non-zero pages).
 *
 * The QEMU process is the one holding the QMP socket (/proc/net/unix inode → /proc/<pid>/fd). Its guest
 * RAM is the anonymous/shared mapping whose size matches the guest's base memory (smaps). Its pages are
 * checked through /proc/<pid>/pagemap (not present → never touched → zero) and /proc/<pid>/mem (present
 * → compared with a zero page), all pages up to SAMPLE_PAGES, evenly strided above. Procfs text goes
 * through HostFs; pagemap and mem need positioned binary reads, which HostFs has no call for.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { HostFs } from "@/agent/hostfs";

/** Pages checked at most (4 KiB each: 256 MiB read in the worst case, a fully resident large guest). */
const SAMPLE_PAGES = 65_536;
const PAGEMAP_PRESENT = 1n << 63n;
const PAGEMAP_SWAPPED = 1n << 62n;

export type GuestRamEstimate = {
  pid: number;
  /** size of the guest RAM mapping(s) found */
  mappedBytes: number;
  /** resident (touched) part of it, from smaps' Rss */
  residentBytes: number;
  /** estimated non-zero bytes; null when /proc/<pid>/mem could not be read (then residentBytes is the bound) */
  nonZeroBytes: number | null;
  pagesChecked: number;
};

/** The pid of the process listening on this unix socket path, or null (no such socket, or not visible). */
export async function pidOfUnixSocket(fs: HostFs, socketPath: string): Promise<number | null> {
  const table = await fs.readTextOptional("proc/net/unix");
  if (table === null) return null;
  const inodes = new Set<string>();
  for (const line of table.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path
    if (cols.length >= 8 && cols.slice(7).join(" ") === socketPath) inodes.add(cols[6] ?? "");
  }
  if (inodes.size === 0) return null;
  for (const entry of (await fs.listDir("proc")) ?? []) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await fs.listDir(`proc/${entry}/fd`).catch(() => null);
    for (const fd of fds ?? []) {
      const target = await fs.readLink(`proc/${entry}/fd/${fd}`);
      const m = target === null ? null : /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1] ?? "")) return Number(entry);
    }
  }
  return null;
}

type Mapping = { start: number; end: number; rssBytes: number };

/** Mappings of `ramBytes` (± QEMU's alignment slack) that are writable and not executable (not the TCG code buffer). */
export function guestRamMappings(smaps: string, ramBytes: number): Mapping[] {
  const out: Mapping[] = [];
  let current: Mapping | null = null;
  for (const line of smaps.split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) /.exec(line);
    if (head) {
      const [, from, to, perms] = head;
      const start = parseInt(from ?? "0", 16);
      const end = parseInt(to ?? "0", 16);
      const size = end - start;
      current = perms?.startsWith("rw") && perms[2] !== "x" && size >= ramBytes && size <= ramBytes + 4 * 1024 * 1024 ? { start, end, rssBytes: 0 } : null;
      if (current) out.push(current);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current) current.rssBytes = Number(rss[1]) * 1024;
  }
  return out;
}

/** Non-zero part of the guest RAM of the QEMU serving `qmpSocket`; null when the process or its RAM mapping is not found. */
export async function estimateGuestRam(qmpSocket: string, ramBytes: number, options: { fs?: HostFs; pageSize?: number } = {}): Promise<GuestRamEstimate | null> {
  const fs = options.fs ?? new HostFs("/");
  const pageSize = options.pageSize ?? 4096;
  const pid = await pidOfUnixSocket(fs, qmpSocket);
  if (pid === null) return null;
  const smaps = await fs.readTextOptional(`proc/${pid}/smaps`);
  if (smaps === null) return null;
  const mappings = guestRamMappings(smaps, ramBytes);
  // Several candidates (two equal-sized RAM regions?) would be a guess: take one only when it is unambiguous.
  if (mappings.length !== 1) return null;
  const mapping = mappings[0] as Mapping;
  const estimate: GuestRamEstimate = { pid, mappedBytes: mapping.end - mapping.start, residentBytes: mapping.rssBytes, nonZeroBytes: null, pagesChecked: 0 };
  let pagemap: number | null = null;
  let mem: number | null = null;
  try {
    pagemap = openSync(fs.resolve(`proc/${pid}/pagemap`), "r");
    mem = openSync(fs.resolve(`proc/${pid}/mem`), "r");
    const pages = Math.floor((mapping.end - mapping.start) / pageSize);
    const stride = Math.max(1, Math.ceil(pages / SAMPLE_PAGES));
    const entry = Buffer.alloc(8);
    const page = Buffer.alloc(pageSize);
    const zero = Buffer.alloc(pageSize);
    let checked = 0;
    let nonZero = 0;
    for (let i = 0; i < pages; i += stride) {
      const address = mapping.start + i * pageSize;
      checked++;
      if (readSync(pagemap, entry, 0, 8, (address / pageSize) * 8) !== 8) throw new Error("short pagemap read");
      const bits = entry.readBigUInt64LE(0);
      if ((bits & PAGEMAP_SWAPPED) !== 0n) {
        nonZero++; // swapped out: it was written, count it as data
        continue;
      }
      if ((bits & PAGEMAP_PRESENT) === 0n) continue;
      if (readSync(mem, page, 0, pageSize, address) !== pageSize) throw new Error("short mem read");
      if (!page.equals(zero)) nonZero++;
    }
    estimate.pagesChecked = checked;
    estimate.nonZeroBytes = checked === 0 ? 0 : Math.round((nonZero / checked) * pages) * pageSize;
  } catch {
    // no permission to read another process's memory (not root, ptrace restrictions): the resident size is the bound
    estimate.nonZeroBytes = null;
  } finally {
    if (pagemap !== null) closeSync(pagemap);
    if (mem !== null) closeSync(mem);
  }
  return estimate;
}
