/**
 * sysctl.d files (`key = value` lines, `#`/`;` comments), pure. Keys may be written with "." or "/"
 * (kernel.sched_rt_runtime_us ≡ kernel/sched_rt_runtime_us), as sysctl.d(5) allows.
 */

function normalKey(key: string): string {
  return key.trim().replace(/^-/, "").replaceAll("/", ".");
}

const LINE = /^\s*(-?[A-Za-z0-9_./-]+)\s*=\s*(.*?)\s*$/;

/** The value the file assigns to `key` (the last assignment wins), or null. */
export function readSysctlValue(text: string, key: string): string | null {
  let value: string | null = null;
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (m && normalKey(m[1] as string) === normalKey(key)) value = m[2] as string;
  }
  return value;
}

/** Set `key = value`, replacing the last assignment in place (others removed) or appending; other lines kept. */
export function setSysctlValue(text: string | null, key: string, value: string, header: string): string {
  if (text === null) return `# ${header}\n${key} = ${value}\n`;
  const lines = text.split("\n");
  let last = -1;
  lines.forEach((line, i) => {
    const m = LINE.exec(line);
    if (m && normalKey(m[1] as string) === normalKey(key)) last = i;
  });
  if (last < 0) {
    const body = text === "" || text.endsWith("\n") ? text : `${text}\n`;
    return `${body}${key} = ${value}\n`;
  }
  return lines
    .map((line, i) => (i === last ? `${key} = ${value}` : line))
    .filter((line, i) => {
      if (i === last) return true;
      const m = LINE.exec(line);
      return !(m && normalKey(m[1] as string) === normalKey(key));
    })
    .join("\n");
}

/**
 * Does a file read later override ours? systemd-sysctl reads every *.conf across
 * /etc/sysctl.d, /run/sysctl.d, /usr/lib/sysctl.d by file name (same name: /etc wins), then /etc/sysctl.conf last.
 */
export function sysctlFileSortsAfter(otherPath: string, ourPath: string): boolean {
  if (otherPath === "/etc/sysctl.conf") return true;
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  return base(otherPath) > base(ourPath);
}
