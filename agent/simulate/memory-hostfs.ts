import path from "node:path";
import { HostFs } from "@/agent/hostfs";

/**
 * A HostFs over an in-memory tree (relative path → file text), so simulated hosts run the real
 * collectors without writing thousands of files to disk. Directories are implied by the file paths.
 */
export class MemoryHostFs extends HostFs {
  private readonly files: ReadonlyMap<string, string>;
  private readonly dirs = new Map<string, Set<string>>();

  constructor(files: ReadonlyMap<string, string>, label = "memory") {
    // A root that is never "/": collectors that only act on the real root (dmidecode) stay off.
    super(`/nonexistent-simulated-root/${label}`);
    this.files = files;
    this.dirs.set("", new Set());
    for (const file of files.keys()) {
      const parts = file.split("/");
      for (let i = 0; i < parts.length; i++) {
        const dir = parts.slice(0, i).join("/");
        let children = this.dirs.get(dir);
        if (!children) {
          children = new Set();
          this.dirs.set(dir, children);
        }
        children.add(parts[i] as string);
      }
    }
  }

  /** Normalised relative key; the same refusals as HostFs for absolute or escaping paths. */
  private key(rel: string): string {
    if (rel.startsWith("/")) throw new Error(`HostFs path must be relative: ${rel}`);
    const norm = path.posix.normalize(rel).replace(/\/+$/, "");
    if (norm === ".." || norm.startsWith("../")) throw new Error(`HostFs path escapes root: ${rel}`);
    return norm === "." ? "" : norm;
  }

  override async readText(rel: string): Promise<string | null> {
    return this.files.get(this.key(rel)) ?? null;
  }

  override async readBytes(rel: string): Promise<Buffer | null> {
    const text = this.files.get(this.key(rel));
    return text === undefined ? null : Buffer.from(text, "utf8");
  }

  override async listDir(rel: string): Promise<string[] | null> {
    const children = this.dirs.get(this.key(rel));
    return children ? [...children].sort() : null;
  }

  override async exists(rel: string): Promise<boolean> {
    const k = this.key(rel);
    return this.files.has(k) || this.dirs.has(k);
  }

  override async readLink(): Promise<string | null> {
    return null;
  }
}
