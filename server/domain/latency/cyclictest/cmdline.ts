/** cyclictest command lines: the options this project reads back from a run. Pure. */

export interface CyclictestCmdlineOptions {
  histogramSize: number | null;
  nsecs: boolean;
  priority: number | null;
  intervalUs: number | null;
  threads: number | null;
  affinity: string | null;
  mainAffinity: string | null;
  durationS: number | null;
}

/** "3s" "1m" "2h" "1d" or plain seconds, as cyclictest's -D takes it. */
export function parseCyclictestDuration(text: string): number | null {
  const m = /^(\d+)([smhd]?)$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const mult: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
  return n * (mult[(m[2] ?? "").toLowerCase()] ?? 1);
}

/** Pulls the options this project cares about out of a cyclictest command line (tolerant: unknown options are skipped). */
export function parseCyclictestCmdline(cmdline: string): CyclictestCmdlineOptions {
  const out: CyclictestCmdlineOptions = {
    histogramSize: null,
    nsecs: false,
    priority: null,
    intervalUs: null,
    threads: null,
    affinity: null,
    mainAffinity: null,
    durationS: null,
  };
  const tokens = cmdline.trim().split(/\s+/);
  const int = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? "";
    let name: string;
    let value: string | undefined;
    let inline = false;
    const long = /^--([a-z-]+)(?:=(.*))?$/.exec(tok);
    const short = /^-([a-zA-Z])(.*)$/.exec(tok);
    if (long) {
      name = long[1] ?? "";
      value = long[2];
      inline = value !== undefined;
    } else if (short) {
      name = short[1] ?? "";
      value = short[2] === "" ? undefined : short[2];
      inline = value !== undefined;
    } else continue;
    const next = (): string | undefined => {
      if (inline) return value;
      const n = tokens[i + 1];
      if (n !== undefined && !n.startsWith("-")) {
        i++;
        return n;
      }
      return undefined;
    };
    switch (name) {
      case "h":
      case "histogram":
      case "H":
      case "histofall": {
        const v = int(next());
        if (v !== null) out.histogramSize = v;
        break;
      }
      case "N":
      case "nsecs":
        out.nsecs = true;
        break;
      case "p":
      case "priority":
        out.priority = int(next());
        break;
      case "i":
      case "interval":
        out.intervalUs = int(next());
        break;
      case "t":
      case "threads":
        out.threads = int(next());
        break;
      case "a":
      case "affinity":
        out.affinity = next() ?? null;
        break;
      case "mainaffinity":
        out.mainAffinity = next() ?? null;
        break;
      case "D":
      case "duration": {
        const v = next();
        out.durationS = v === undefined ? null : parseCyclictestDuration(v);
        break;
      }
      default:
        break;
    }
  }
  return out;
}
