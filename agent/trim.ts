/**
 * Gives back the executable's start-up-only code pages (compiled executable only).
 *
 * Bun's runtime is one ~100 MiB file. Starting it, loading the bundle and the node built-ins and
 * running the first full cycle fault in ~35 MB of its code and read-only data; a steady heartbeat
 * then touches ~10 MB of it (measured with /proc/PID/clear_refs + smaps "Referenced" over 10 cycles).
 * The rest stays resident for the daemon's life although nothing uses it again. These are clean,
 * file-backed pages: `madvise(MADV_PAGEOUT)` on the read-only file mappings drops them from this
 * process (the kernel does the same under memory pressure); a page that is needed again is read back
 * on its next use. Private writable mappings and anonymous memory are never touched.
 *
 * A page shared with another process (a second copy of the agent running from the same file) is left
 * alone by the kernel. Only under Bun (bun:ffi, which refuses to load with useJIT=0: the unit turns
 * the JIT tiers off one by one instead). Under Node, or when bun:ffi is unavailable, a no-op.
 */

import { readFile } from "node:fs/promises";

const MADV_PAGEOUT = 21;

type Madvise = (addr: bigint, len: bigint, advice: number) => number;

let madvise: Madvise | null | undefined;

async function loadMadvise(): Promise<Madvise | null> {
  if (madvise !== undefined) return madvise;
  madvise = null;
  if (typeof (globalThis as { Bun?: unknown }).Bun === "undefined" || process.platform !== "linux") return null;
  try {
    // a runtime specifier: not for esbuild or TypeScript to resolve (there is no bun:ffi under Node)
    const specifier = "bun:ffi";
    const ffi = (await import(specifier)) as {
      dlopen: (lib: string, symbols: Record<string, { args: unknown[]; returns: unknown }>) => { symbols: { madvise: Madvise } };
      FFIType: Record<string, unknown>;
    };
    const lib = ffi.dlopen("libc.so.6", { madvise: { args: [ffi.FFIType.u64, ffi.FFIType.u64, ffi.FFIType.i32], returns: ffi.FFIType.i32 } });
    madvise = lib.symbols.madvise;
  } catch {
    madvise = null;
  }
  return madvise;
}

/** Read-only file-backed mappings (code, rodata) of /proc/self/maps text: [start, end) pairs. Pure. */
export function readOnlyFileMappings(maps: string): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const line of maps.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (r-xp|r--p) [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ [1-9]\d* +\//.exec(line);
    if (m?.[1] && m[2]) out.push([BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)]);
  }
  return out;
}

/**
 * Page out this process's read-only file mappings. Resolves to the number of mappings advised, or null
 * when not possible here (Node, no bun:ffi). Never throws.
 */
export async function trimFilePages(readMaps: () => Promise<string> = () => readFile("/proc/self/maps", "utf8")): Promise<number | null> {
  const fn = await loadMadvise();
  if (!fn) return null;
  try {
    let n = 0;
    for (const [start, end] of readOnlyFileMappings(await readMaps())) if (fn(start, end - start, MADV_PAGEOUT) === 0) n += 1;
    return n;
  } catch {
    return null;
  }
}
