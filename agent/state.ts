import { promises as fsp } from "node:fs";
import path from "node:path";

/** Where the agent keeps its credentials, sequence counter and spool. */
export const DEFAULT_STATE_DIR = "/var/lib/nfvdeck-agent";

/** --state flag, else $NFVDECK_AGENT_STATE, else /var/lib/nfvdeck-agent (systemd StateDirectory=). */
export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.NFVDECK_AGENT_STATE ?? env.STATE_DIRECTORY ?? DEFAULT_STATE_DIR;
  // systemd may pass several colon-separated directories in STATE_DIRECTORY; the first is ours.
  return path.resolve(chosen.split(":")[0] ?? chosen);
}

export interface Credentials {
  hostId: string;
  hostToken: string;
  /** the server the token belongs to */
  server: string;
  enrolledAt: string;
}

const CREDENTIALS_FILE = "credentials.json";
const SEQUENCE_FILE = "sequence";

/**
 * Write a file atomically and durably: temp file (created with `mode`), fsync, rename, fsync the
 * directory. A crash leaves either the old or the new content, never a torn file.
 */
export async function writeFileDurable(file: string, content: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await fsp.open(tmp, "w", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // open(…, mode) is masked by the umask; set it explicitly so 0600 really is 0600.
  await fsp.chmod(tmp, mode);
  await fsp.rename(tmp, file);
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic there
  } finally {
    await handle.close();
  }
}

export async function ensureStateDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
}

function isCredentials(v: unknown): v is Credentials {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.hostId === "string" && typeof o.hostToken === "string" && typeof o.server === "string" && typeof o.enrolledAt === "string";
}

export async function saveCredentials(dir: string, creds: Credentials): Promise<string> {
  await ensureStateDir(dir);
  const file = path.join(dir, CREDENTIALS_FILE);
  await writeFileDurable(file, `${JSON.stringify(creds, null, 2)}\n`, 0o600);
  return file;
}

/** The stored credentials, or null when the host is not enrolled yet. A corrupt file throws (say so, don't re-enrol silently). */
export async function loadCredentials(dir: string): Promise<Credentials | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, CREDENTIALS_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isCredentials(parsed)) throw new Error(`${path.join(dir, CREDENTIALS_FILE)} is not a valid credentials file`);
  return parsed;
}

/** The last sequence number handed out, or -1 when none was. */
export async function loadLastSequence(dir: string): Promise<number> {
  try {
    const n = Number((await fsp.readFile(path.join(dir, SEQUENCE_FILE), "utf8")).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : -1;
  } catch {
    return -1;
  }
}

export async function saveLastSequence(dir: string, sequence: number): Promise<void> {
  await writeFileDurable(path.join(dir, SEQUENCE_FILE), `${sequence}\n`, 0o600);
}
