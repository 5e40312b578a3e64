/**
 * Kernel command line edits, pure: the same edit applied to GRUB_CMDLINE_LINUX (/etc/default/grub), to a
 * BLS entry's `options` line (/boot/loader/entries/*.conf, what grubby edits on RHEL-family hosts) and
 * checked against the running /proc/cmdline.
 */

/** One kernel parameter as written: "quiet" (value null) or "isolcpus=4-19". */
export interface KernelArg {
  key: string;
  value: string | null;
}

export interface CmdlineEdit {
  /** set (add or replace every occurrence of the key) */
  set: KernelArg[];
  /** keys to drop */
  remove: string[];
}

/** A parameter we accept to write: no quotes, spaces or shell metacharacters (it ends up in a shell-sourced file). */
const ARG = /^([A-Za-z0-9_.-]+)(?:=([A-Za-z0-9_.,:/@+=-]*))?$/;
const KEY = /^[A-Za-z0-9_.-]+$/;

export class CmdlineEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CmdlineEditError";
  }
}

/** Parse the `args` / `remove` parameters of tune.cmdline; throws CmdlineEditError naming the bad token. */
export function parseCmdlineEdit(args: string, remove: string): CmdlineEdit {
  const set: KernelArg[] = [];
  for (const token of args.split(/\s+/).filter((t) => t !== "")) {
    const m = ARG.exec(token);
    if (!m) throw new CmdlineEditError(`args: "${token.slice(0, 80)}" is not a kernel parameter (key or key=value without quotes or spaces)`);
    const key = m[1] as string;
    if (set.some((a) => a.key === key)) throw new CmdlineEditError(`args: ${key} given twice`);
    // hugepagesz=/hugepages= pairs repeat per size and their order matters: a key-wise replace would break them.
    if (key === "hugepages" || key === "hugepagesz") throw new CmdlineEditError(`args: ${key} is order-dependent (one pair per size); not editable by key`);
    set.push({ key, value: m[2] ?? null });
  }
  const keys: string[] = [];
  for (const token of remove.split(/[\s,]+/).filter((t) => t !== "")) {
    if (!KEY.test(token)) throw new CmdlineEditError(`remove: "${token.slice(0, 80)}" is not a kernel parameter name`);
    if (set.some((a) => a.key === token)) throw new CmdlineEditError(`remove: ${token} is also in args`);
    keys.push(token);
  }
  if (set.length === 0 && keys.length === 0) throw new CmdlineEditError("args: give at least one parameter to set (args) or to remove (remove)");
  return { set, remove: keys };
}

/** Split a command line into tokens, keeping "a=\"x y\"" together (the quotes stay part of the token). */
export function splitCmdline(text: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let inQuote = false;
  for (const ch of text) {
    if (ch === '"') inQuote = !inQuote;
    if (!inQuote && /\s/.test(ch)) {
      if (current !== "") tokens.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  if (current !== "") tokens.push(current);
  return tokens;
}

function tokenKey(token: string): string {
  const eq = token.indexOf("=");
  return eq < 0 ? token : token.slice(0, eq);
}

function argText(a: KernelArg): string {
  return a.value === null ? a.key : `${a.key}=${a.value}`;
}

/**
 * Apply the edit to a command line: a set key replaces its first occurrence in place (other occurrences
 * are dropped, so the kernel cannot see two values), or is appended; removed keys disappear.
 * Tokens after a bare "--" (init's arguments) are kept untouched.
 */
export function applyCmdlineEdit(cmdline: string, edit: CmdlineEdit): string {
  const tokens = splitCmdline(cmdline);
  const dashdash = tokens.indexOf("--");
  const kernel = dashdash < 0 ? tokens : tokens.slice(0, dashdash);
  const init = dashdash < 0 ? [] : tokens.slice(dashdash);
  const out: string[] = [];
  const placed = new Set<string>();
  for (const token of kernel) {
    const key = tokenKey(token);
    if (edit.remove.includes(key)) continue;
    const set = edit.set.find((a) => a.key === key);
    if (!set) {
      out.push(token);
      continue;
    }
    if (placed.has(key)) continue;
    placed.add(key);
    out.push(argText(set));
  }
  for (const a of edit.set) if (!placed.has(a.key)) out.push(argText(a));
  return [...out, ...init].join(" ");
}

/** Remove the keys `edit` sets or removes (used on GRUB_CMDLINE_LINUX_DEFAULT, which grub appends after GRUB_CMDLINE_LINUX). */
export function dropEditedKeys(cmdline: string, edit: CmdlineEdit): string {
  const keys = new Set([...edit.set.map((a) => a.key), ...edit.remove]);
  return splitCmdline(cmdline)
    .filter((t) => !keys.has(tokenKey(t)))
    .join(" ");
}

/** Does a running command line (/proc/cmdline) carry the edit? The kernel honours the last occurrence of a key. */
export function cmdlineSatisfies(procCmdline: string, edit: CmdlineEdit): boolean {
  const tokens = splitCmdline(procCmdline);
  const dashdash = tokens.indexOf("--");
  const kernel = dashdash < 0 ? tokens : tokens.slice(0, dashdash);
  const last = new Map<string, string>();
  for (const t of kernel) last.set(tokenKey(t), t);
  for (const a of edit.set) if (last.get(a.key) !== argText(a)) return false;
  return edit.remove.every((k) => !last.has(k));
}

/** A shell assignment line `NAME="value"` (or 'value' or bare), located in a file's text. */
interface ShellAssignment {
  lineIndex: number;
  value: string;
  quote: '"' | "'" | "";
  prefix: string;
  suffix: string;
}

function findAssignment(lines: readonly string[], name: string): ShellAssignment | null {
  const re = new RegExp(`^(\\s*(?:export\\s+)?${name}=)(?:"([^"]*)"|'([^']*)'|([^\\s#]*))(.*)$`);
  for (let i = lines.length - 1; i >= 0; i--) {
    // the last assignment wins when the file is sourced
    const m = re.exec(lines[i] as string);
    if (!m) continue;
    const quote = m[2] !== undefined ? '"' : m[3] !== undefined ? "'" : "";
    return { lineIndex: i, value: m[2] ?? m[3] ?? m[4] ?? "", quote, prefix: m[1] as string, suffix: m[5] ?? "" };
  }
  return null;
}

/** The value of a shell variable in a sourced config file (the last assignment), or null. */
export function readShellVariable(text: string, name: string): string | null {
  return findAssignment(text.split("\n"), name)?.value ?? null;
}

/**
 * Set a shell variable's value in a config file's text, changing only that line (its quoting style kept).
 * Appends `NAME="value"` (after `comment`, when given) when the variable is not assigned.
 */
export function setShellVariable(text: string, name: string, value: string, comment?: string): string {
  const lines = text.split("\n");
  const found = findAssignment(lines, name);
  if (found) {
    const quote = found.quote === "" && /\s/.test(value) ? '"' : found.quote;
    lines[found.lineIndex] = `${found.prefix}${quote}${value}${quote}${found.suffix}`;
    return lines.join("\n");
  }
  const body = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${body}${comment ? `# ${comment}\n` : ""}${name}="${value}"\n`;
}

/** /etc/default/grub with GRUB_CMDLINE_LINUX edited, and the edited keys dropped from GRUB_CMDLINE_LINUX_DEFAULT. */
export function editGrubDefaults(text: string, edit: CmdlineEdit): string {
  const linux = readShellVariable(text, "GRUB_CMDLINE_LINUX") ?? "";
  let out = setShellVariable(text, "GRUB_CMDLINE_LINUX", applyCmdlineEdit(linux, edit), "nfvdeck tune.cmdline");
  const dflt = readShellVariable(out, "GRUB_CMDLINE_LINUX_DEFAULT");
  if (dflt !== null) {
    const dropped = dropEditedKeys(dflt, edit);
    if (dropped !== splitCmdline(dflt).join(" ")) out = setShellVariable(out, "GRUB_CMDLINE_LINUX_DEFAULT", dropped);
  }
  return out;
}

/** A BLS entry with its `options` line edited, or null when it has none. Throws on `$kernelopts` (grubenv indirection). */
export function editBlsEntry(text: string, edit: CmdlineEdit): string | null {
  const lines = text.split("\n");
  const idx = lines.findIndex((l) => /^options(\s|$)/.test(l));
  if (idx < 0) return null;
  const line = lines[idx] as string;
  const m = /^options(\s+)(.*)$/.exec(line);
  const options = m ? (m[2] as string) : "";
  if (/\$kernelopts\b/.test(options)) {
    throw new CmdlineEditError("the boot entries use $kernelopts from grubenv (RHEL 8 style); edit with grubby on the host");
  }
  lines[idx] = `options${m ? (m[1] as string) : " "}${applyCmdlineEdit(options, edit)}`;
  return lines.join("\n");
}
