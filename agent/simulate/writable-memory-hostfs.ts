import path from "node:path";
import { WritableHostFs } from "@/agent/hostfs";

/**
 * A writable HostFs over an in-memory tree (relative path → file text): what a simulated host's tuning
 * writes to. The real tune actions (agent/actions/tune) plan, apply and roll back against it exactly as
 * against a disk tree; the collectors then read the changed values. Directories are implied by the
 * files, plus the ones created explicitly (removed again when empty).
 */
export class WritableMemoryHostFs extends WritableHostFs {
  private readonly files: Map<string, string>;
  private readonly dirs = new Map<string, Set<string>>();
  /** called after every write with the relative path: the simulated kernel's reaction (e.g. effective IRQ affinity) */
  onWrite: ((rel: string, fs: WritableMemoryHostFs) => void) | null = null;

  constructor(files: ReadonlyMap<string, string>, label = "memory") {
    // never "/": actions run no host commands (update-grub, systemctl) on a simulated root
    super(`/nonexistent-simulated-root/${label}`);
    this.files = new Map(files);
    this.dirs.set("", new Set());
    for (const file of this.files.keys()) this.link(file);
  }

  private link(file: string): void {
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

  private key(rel: string): string {
    if (rel.startsWith("/")) throw new Error(`HostFs path must be relative: ${rel}`);
    const norm = path.posix.normalize(rel).replace(/\/+$/, "");
    if (norm === ".." || norm.startsWith("../")) throw new Error(`HostFs path escapes root: ${rel}`);
    return norm === "." ? "" : norm;
  }

  /** The file's text, synchronously (the simulation's own reads). */
  get(rel: string): string | null {
    return this.files.get(this.key(rel)) ?? null;
  }

  /** Every file path under a directory prefix. */
  filesUnder(prefix: string): string[] {
    const p = this.key(prefix);
    return [...this.files.keys()].filter((k) => k.startsWith(`${p}/`));
  }

  /** Sets a file without running onWrite (the simulated kernel's own updates). */
  set(rel: string, text: string): void {
    const k = this.key(rel);
    this.files.set(k, text);
    this.link(k);
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

  override async writeFile(rel: string, data: Buffer): Promise<string[]> {
    const k = this.key(rel);
    const parts = k.split("/").slice(0, -1);
    const created: string[] = [];
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!this.dirs.has(d)) created.push(d);
    }
    this.set(k, data.toString("utf8"));
    this.onWrite?.(k, this);
    return created;
  }

  override async removeFile(rel: string): Promise<void> {
    const k = this.key(rel);
    if (!this.files.delete(k)) return;
    const parent = k.split("/").slice(0, -1).join("/");
    this.dirs.get(parent)?.delete(k.split("/").at(-1) as string);
  }

  override async removeEmptyDir(rel: string): Promise<boolean> {
    const k = this.key(rel);
    const children = this.dirs.get(k);
    if (!children || children.size > 0 || k === "") return false;
    this.dirs.delete(k);
    const parent = k.split("/").slice(0, -1).join("/");
    this.dirs.get(parent)?.delete(k.split("/").at(-1) as string);
    return true;
  }
}
