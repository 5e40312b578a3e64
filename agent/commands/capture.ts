import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { HostFs } from "@/agent/hostfs";
import { collectSections, readHostname } from "@/agent/report/collect";
import { parseFlags } from "@/agent/commands/flags";

export const summary = "copy exactly the files the collectors read from --root into a fixture tree at --out";

/** HostFs that remembers every file it read, with the content read (so the copy is what was collected). */
export class RecordingHostFs extends HostFs {
  readonly files = new Map<string, string | Buffer>();

  override async readText(rel: string): Promise<string | null> {
    const text = await super.readText(rel);
    if (text !== null) this.files.set(path.posix.normalize(rel), text);
    return text;
  }

  override async readBytes(rel: string): Promise<Buffer | null> {
    const bytes = await super.readBytes(rel);
    if (bytes !== null) this.files.set(path.posix.normalize(rel), bytes);
    return bytes;
  }
}

/** Processes whose /proc/<pid> files are worth keeping in a fixture; the rest of /proc/<pid>/comm is noise. */
const KEEP_PROCESSES = new Set(["irqbalance"]);

/**
 * Decide what a capture writes: every file read, minus /proc/<pid> files of uninteresting processes.
 * Directories are not written on their own: git keeps no empty directories, so a fixture must not depend
 * on them (listings replay from the files beneath). Pure over the recorded map.
 */
export function planCapture(files: Map<string, string | Buffer>): Map<string, string | Buffer> {
  const keepPid = new Set<string>();
  for (const [rel, text] of files) {
    const m = /^proc\/(\d+)\/comm$/.exec(rel);
    if (m && KEEP_PROCESSES.has(text.toString().trim())) keepPid.add(m[1] as string);
  }
  const out = new Map<string, string | Buffer>();
  for (const [rel, text] of [...files].sort(([x], [y]) => x.localeCompare(y))) {
    const m = /^proc\/(\d+)\//.exec(rel);
    if (m && !keepPid.has(m[1] as string)) continue;
    out.set(rel, text);
  }
  return out;
}

const flagsSchema = z.object({ out: z.string().min(1), root: z.string().min(1).default("/") }).strict();

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { out: { type: "string" }, root: { type: "string" } }, flagsSchema);
  if (!parsed.ok) {
    process.stderr.write(`capture: ${parsed.error}\nusage: capture --out DIR [--root /]\n`);
    return 2;
  }
  const { out, root } = parsed.flags;
  const outAbs = path.resolve(out);
  const recorder = new RecordingHostFs(root);
  if (outAbs === recorder.root || outAbs.startsWith(`${recorder.root}${path.sep}`) && recorder.root !== "/") {
    process.stderr.write("capture: --out must not be inside --root\n");
    return 2;
  }
  const sections = await collectSections(recorder);
  const hostname = await readHostname(recorder);
  const plan = planCapture(recorder.files);
  let bytes = 0;
  for (const [rel, text] of plan) {
    const dest = path.join(outAbs, rel);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.writeFile(dest, text);
    bytes += Buffer.byteLength(text);
  }
  const status = Object.entries(sections)
    .map(([name, s]) => `- ${name}: ${!s.ok ? `error (${s.error ?? ""})` : s.available ? "available" : "not available"}`)
    .join("\n");
  const readme = `# ${hostname} — captured\n\nCaptured with \`npm run agent -- capture --out ${out}${root === "/" ? "" : ` --root ${root}`}\` on ${new Date().toISOString().slice(0, 10)}.\nThe tree holds exactly the files the collectors read (${plan.size} files, ${bytes} bytes); symlinks are\nnot kept (their targets' files are copied where read), nor empty directories.\n/proc/<pid> files are kept only for: ${[...KEEP_PROCESSES].join(", ")}.\n\nSections at capture time:\n${status}\n`;
  const readmePath = path.join(outAbs, "README.md");
  if (!(await fileExists(readmePath))) await fsp.writeFile(readmePath, readme);
  process.stdout.write(`captured ${plan.size} files (${bytes} bytes) into ${outAbs}\n`);
  return 0;
}

async function fileExists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}
