/** Small pure helpers for single-value sysfs/procfs files. Garbage gives null, never a throw. */
import { cleanText, clipText } from "@/agent/report/clean-text";

export function parseIntValue(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** "Y"/"N", "1"/"0", "on"/"off" (module parameters, sysfs switches) → boolean; else null. */
export function parseBoolValue(text: string | null): boolean | null {
  if (text === null) return null;
  const t = text.trim().toLowerCase();
  if (t === "y" || t === "1" || t === "on" || t === "yes" || t === "true") return true;
  if (t === "n" || t === "0" || t === "off" || t === "no" || t === "false") return false;
  return null;
}

/** Trimmed single-line text, or null when missing/empty. */
export function parseWordValue(text: string | null, max = 1024): string | null {
  if (text === null) return null;
  // cleaned before trimming: a value of only NULs or control bytes (seen in DMI strings) is "missing"
  const t = cleanText(text).trim();
  return t === "" ? null : clipText(t, max);
}

/** "cpu12" → 12 for entries named prefix+number; anything else → null. */
export function indexedName(name: string, prefix: string): number | null {
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

/** Sorted numeric indices of entries like cpu0, cpu1, node0 in a directory listing. */
export function indexedEntries(names: readonly string[] | null, prefix: string): number[] {
  if (names === null) return [];
  const out: number[] = [];
  for (const n of names) {
    const i = indexedName(n, prefix);
    if (i !== null) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

/** Bounded warnings list: collectors tolerate bad fields one by one and say which. */
export class Warnings {
  readonly items: string[] = [];
  constructor(private readonly max = 50) {}
  add(message: string): void {
    if (this.items.length < this.max) this.items.push(clipText(message, 500));
    else if (this.items.length === this.max) this.items.push("… more warnings omitted");
  }
}

/**
 * Sort order by UTF-16 code units. Not localeCompare: that loads ICU's collator (~3 MB of RSS in a
 * daemon meant to stay small) and its order depends on the host's locale; this one is the same everywhere.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
