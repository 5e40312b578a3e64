/**
 * Kernel cpu-list and cpu-mask text, parsed and formatted. Pure: shared by the agent and the server.
 *
 * cpu-list ("0-3,8,10-11", "0-15:2/4") is the format of isolcpus=, nohz_full=, *_list sysfs files;
 * cpu-mask ("ff,ffffffff") is the hex format of smp_affinity and IRQBALANCE_BANNED_CPUS.
 */

/** Upper bound on a CPU number we accept: the kernel's NR_CPUS maximum is 8192. */
export const MAX_CPU = 8191;

export class CpuListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CpuListError";
  }
}

const RANGE = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/;

/**
 * Parse a kernel cpu list into a sorted, de-duplicated array. Empty text (or whitespace) is the empty set.
 * Supports the kernel's group syntax "a-b:used/group" (e.g. "0-15:2/4" = 0,1,4,5,8,9,12,13).
 * Throws CpuListError on anything else, including "(null)" — callers decide what that means.
 */
export function parseCpuList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const set = new Set<number>();
  for (const part of trimmed.split(",")) {
    const m = RANGE.exec(part.trim());
    if (!m) throw new CpuListError(`not a cpu list: "${truncate(trimmed)}" (bad part "${truncate(part)}")`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (end < start) throw new CpuListError(`descending range "${part}"`);
    if (end > MAX_CPU) throw new CpuListError(`cpu ${end} exceeds ${MAX_CPU}`);
    const used = m[3] === undefined ? 1 : Number(m[3]);
    const group = m[4] === undefined ? 1 : Number(m[4]);
    if (group === 0 || used === 0 || used > group) throw new CpuListError(`bad group "${part}"`);
    for (let base = start; base <= end; base += group) {
      for (let i = 0; i < used && base + i <= end; i++) set.add(base + i);
    }
  }
  return [...set].sort((a, b) => a - b);
}

/** parseCpuList that returns null instead of throwing. */
export function tryParseCpuList(text: string): number[] | null {
  try {
    return parseCpuList(text);
  } catch {
    return null;
  }
}

/** Format CPUs as the kernel would: sorted ranges, "0-3,8,10-11"; [] → "". */
export function formatCpuList(cpus: Iterable<number>): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end += 1;
      i += 1;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i += 1;
  }
  return parts.join(",");
}

/**
 * Parse a hex cpu mask as in /proc/irq/N/smp_affinity: comma-separated 32-bit words, most significant first
 * ("00000000,00000f0f"). An optional "0x" prefix is accepted (irqbalance's IRQBALANCE_BANNED_CPUS allows it).
 */
export function parseCpuMask(text: string): number[] {
  const trimmed = text.trim().replace(/^0x/i, "");
  if (trimmed === "") return [];
  const words = trimmed.split(",").map((w) => w.trim());
  if (words.some((w) => !/^[0-9a-fA-F]+$/.test(w))) throw new CpuListError(`not a cpu mask: "${truncate(trimmed)}"`);
  // Words after the first are 32-bit groups; pad in case a writer dropped leading zeros.
  const hex = words.map((w, i) => (i === 0 ? w : w.padStart(8, "0"))).join("");
  if (hex.length * 4 > MAX_CPU + 1 + 32) throw new CpuListError(`cpu mask too long`);
  const cpus: number[] = [];
  for (let n = hex.length - 1, bit = 0; n >= 0; n--, bit += 4) {
    const nibble = parseInt(hex[n] as string, 16);
    for (let b = 0; b < 4; b++) if (nibble & (1 << b)) cpus.push(bit + b);
  }
  if (cpus.some((c) => c > MAX_CPU)) throw new CpuListError(`cpu mask exceeds ${MAX_CPU}`);
  return cpus.sort((a, b) => a - b);
}

export function tryParseCpuMask(text: string): number[] | null {
  try {
    return parseCpuMask(text);
  } catch {
    return null;
  }
}

/** Format CPUs as a kernel hex mask in 32-bit words ("ff,ffffffff"); [] → "0". */
export function formatCpuMask(cpus: Iterable<number>): string {
  const list = [...new Set(cpus)];
  if (list.length === 0) return "0";
  const max = Math.max(...list);
  const words = new Array<number>(Math.floor(max / 32) + 1).fill(0);
  for (const c of list) {
    const idx = Math.floor(c / 32);
    words[idx] = ((words[idx] as number) | (1 << (c % 32))) >>> 0;
  }
  return words
    .reverse()
    .map((w, i) => (i === 0 ? w.toString(16) : w.toString(16).padStart(8, "0")))
    .join(",");
}

export function unionCpus(...sets: Iterable<number>[]): number[] {
  const all = new Set<number>();
  for (const s of sets) for (const c of s) all.add(c);
  return [...all].sort((a, b) => a - b);
}

export function subtractCpus(from: Iterable<number>, remove: Iterable<number>): number[] {
  const drop = new Set(remove);
  return [...new Set(from)].filter((c) => !drop.has(c)).sort((a, b) => a - b);
}

export function intersectCpus(a: Iterable<number>, b: Iterable<number>): number[] {
  const keep = new Set(b);
  return [...new Set(a)].filter((c) => keep.has(c)).sort((x, y) => x - y);
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
