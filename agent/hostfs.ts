import { promises as fsp } from "node:fs";
import path from "node:path";

/** Errors that mean "this file is not there on this host" rather than a fault. */
const ABSENT_CODES = new Set(["ENOENT", "ENOTDIR"]);

function isAbsent(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && ABSENT_CODES.has(String((err as { code: unknown }).code));
}

/**
 * Read-only view of a host's file tree relative to a root ("/" in production, a fixture dir in tests).
 * Paths given to it are relative ("sys/devices/system/cpu/online"); absolute or escaping paths are refused,
 * so a collector can never read outside its root by accident.
 *
 * Optional observer: `onRead` is told of every path successfully read/listed (used by `capture`).
 */
export class HostFs {
  readonly root: string;
  private readonly onAccess: ((rel: string, kind: "file" | "dir" | "link") => void) | undefined;

  constructor(root: string = "/", onAccess?: (rel: string, kind: "file" | "dir" | "link") => void) {
    this.root = path.resolve(root);
    this.onAccess = onAccess;
  }

  /** Absolute path for a relative one; throws on "/x" or "../x" (a programming error, not host data). */
  resolve(rel: string): string {
    if (rel.startsWith("/")) throw new Error(`HostFs path must be relative: ${rel}`);
    const abs = path.resolve(this.root, rel);
    if (abs !== this.root && !abs.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep)) {
      throw new Error(`HostFs path escapes root: ${rel}`);
    }
    return abs;
  }

  /** File contents, or null when the file (or a parent) does not exist. Other errors (EACCES, EIO…) throw. */
  async readText(rel: string): Promise<string | null> {
    try {
      const text = await fsp.readFile(this.resolve(rel), "utf8");
      this.onAccess?.(rel, "file");
      return text;
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }

  /** Like readText, but also maps permission errors (EACCES/EPERM/EINVAL/EIO) to null: for files only root can read. */
  async readTextOptional(rel: string): Promise<string | null> {
    try {
      return await this.readText(rel);
    } catch {
      return null;
    }
  }

  /** Directory entry names (sorted), or null when the directory does not exist. */
  async listDir(rel: string): Promise<string[] | null> {
    try {
      const names = await fsp.readdir(this.resolve(rel));
      this.onAccess?.(rel, "dir");
      return names.sort();
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await fsp.access(this.resolve(rel));
      return true;
    } catch {
      return false;
    }
  }

  /** Target of a symbolic link, or null when it is absent or not a link. */
  async readLink(rel: string): Promise<string | null> {
    try {
      const target = await fsp.readlink(this.resolve(rel));
      this.onAccess?.(rel, "link");
      return target;
    } catch {
      return null;
    }
  }
}
