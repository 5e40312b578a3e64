import { accessSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync, fchmodSync } from "node:fs";
import path from "node:path";

/** "a/b/c" with no empty, "." or ".." segment: joining it to a root cannot leave the root. */
const PLAIN_RELATIVE = /^(?!\.\.?(?:\/|$))[^/\0]+(?:\/(?!\.\.?(?:\/|$))[^/\0]+)*$/;

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
 * The API is async (a future remote or slow source can fit behind it), but reads are synchronous inside:
 * sysfs/procfs files are tiny and in-memory, and one sync read costs a fraction of the CPU of
 * fs.promises' open/stat/read/close round trips through the thread pool (the agent's budget is a few ms).
 *
 * Subclasses may override the methods to observe access (capture records what the collectors read).
 */
export class HostFs {
  readonly root: string;

  constructor(root: string = "/") {
    this.root = path.resolve(root);
  }

  /** Absolute path for a relative one; throws on "/x" or "../x" (a programming error, not host data). */
  resolve(rel: string): string {
    if (rel.startsWith("/")) throw new Error(`HostFs path must be relative: ${rel}`);
    // Fast path for the usual "sys/devices/…" (no empty, "." or ".." segment): plain concatenation. A
    // heartbeat resolves a few hundred paths; path.resolve's normalisation was ~1 ms of it.
    if (PLAIN_RELATIVE.test(rel)) return this.root === path.sep ? `/${rel}` : `${this.root}/${rel}`;
    const abs = path.resolve(this.root, rel);
    if (abs !== this.root && !abs.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep)) {
      throw new Error(`HostFs path escapes root: ${rel}`);
    }
    return abs;
  }

  /** File contents, or null when the file (or a parent) does not exist. Other errors (EACCES, EIO…) throw. */
  async readText(rel: string): Promise<string | null> {
    try {
      return readFileSync(this.resolve(rel), "utf8");
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }

  /** Raw bytes (e.g. /proc/config.gz), or null when absent. */
  async readBytes(rel: string): Promise<Buffer | null> {
    try {
      return readFileSync(this.resolve(rel));
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
      return readdirSync(this.resolve(rel)).sort();
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }

  async exists(rel: string): Promise<boolean> {
    try {
      accessSync(this.resolve(rel));
      return true;
    } catch {
      return false;
    }
  }

  /** Target of a symbolic link, or null when it is absent or not a link. */
  async readLink(rel: string): Promise<string | null> {
    try {
      return readlinkSync(this.resolve(rel));
    } catch {
      return null;
    }
  }
}

/** Kernel interface files (procfs, sysfs, resctrl): written in place — they cannot be renamed over. */
function isPseudoFile(rel: string): boolean {
  return /^(?:proc|sys)\//.test(rel);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic there
  } finally {
    closeSync(fd);
  }
}

/**
 * HostFs that also writes, still relative to its root (tuning actions). Config files are replaced
 * crash-safely (temp file + fsync + rename + fsync of the directory), keeping the old file's mode;
 * /proc and /sys files are written in place with one write(2), so the kernel's refusal surfaces as the error.
 */
export class WritableHostFs extends HostFs {
  /** Write `data` at `rel`; returns the parent directories it had to create (outermost first), for rollback. */
  async writeFile(rel: string, data: Buffer): Promise<string[]> {
    const abs = this.resolve(rel);
    if (isPseudoFile(rel)) {
      const fd = openSync(abs, "w");
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      return [];
    }
    const created: string[] = [];
    const parts = rel.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dirRel = parts.slice(0, i).join("/");
      if (!(await this.exists(dirRel))) {
        mkdirSync(this.resolve(dirRel));
        created.push(dirRel);
      }
    }
    let mode = 0o644;
    try {
      mode = statSync(abs).mode & 0o7777;
    } catch {
      // new file
    }
    const tmp = `${abs}.nfvdeck-tmp-${process.pid}`;
    const fd = openSync(tmp, "w", mode);
    try {
      writeSync(fd, data);
      fchmodSync(fd, mode); // open's mode is masked by the umask
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, abs);
    fsyncDir(abs.slice(0, abs.lastIndexOf("/")) || "/");
    return created;
  }

  /** Remove a file (absent is fine). */
  async removeFile(rel: string): Promise<void> {
    const abs = this.resolve(rel);
    try {
      unlinkSync(abs);
    } catch (err) {
      if (!isAbsent(err)) throw err;
      return;
    }
    fsyncDir(abs.slice(0, abs.lastIndexOf("/")) || "/");
  }

  /** Remove a directory if it is empty; true when removed. */
  async removeEmptyDir(rel: string): Promise<boolean> {
    try {
      rmdirSync(this.resolve(rel));
      return true;
    } catch {
      return false;
    }
  }
}

