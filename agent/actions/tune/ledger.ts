import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ensureStateDir, writeFileDurable } from "@/agent/state";
import { tuneActionIdSchema, tuneApplyIdSchema, tuneEffectSchema } from "@/server/contract/tuning";

/**
 * The tuning ledger: one JSON file per apply in <state>/tuning/, written durably (temp + fsync + rename)
 * BEFORE the first write to the host, so the values to restore survive a crash, an agent restart and a
 * reboot (unlike TuneD, which keeps them in /run). Never inside the tree being tuned.
 */

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

export const ledgerChangeSchema = z.object({
  rel: z.string(),
  path: z.string(),
  /** exact bytes before apply (base64); null = the file did not exist */
  before: b64.nullable(),
  /** exact bytes apply wrote (base64) */
  after: b64,
  effect: tuneEffectSchema,
  note: z.string(),
  /** pending: not written yet (a crash mid-apply leaves some); refused: the kernel refused a refusable write */
  status: z.enum(["pending", "applied", "refused"]),
});
export type LedgerChange = z.infer<typeof ledgerChangeSchema>;

export const ledgerEntrySchema = z.object({
  version: z.literal(1),
  applyId: tuneApplyIdSchema,
  action: tuneActionIdSchema,
  params: z.record(z.string(), z.string()),
  root: z.string(),
  createdAt: z.string(),
  /** applying: written before the host was touched; failed: apply stopped and undid itself */
  state: z.enum(["applying", "applied", "failed", "rolled-back"]),
  /** the running kernel at apply time: a boot change waits for a reboot until these change */
  bootId: z.string().nullable(),
  procCmdline: z.string().nullable(),
  /** directories apply created (outermost first), removed again on rollback */
  createdDirs: z.array(z.string()),
  changes: z.array(ledgerChangeSchema),
  rolledBackAt: z.string().nullable(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export function ledgerDir(stateDir: string): string {
  return path.join(stateDir, "tuning");
}

export function newApplyId(action: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${action}-${randomBytes(4).toString("hex")}`;
}

export async function saveEntry(stateDir: string, entry: LedgerEntry): Promise<void> {
  const dir = ledgerDir(stateDir);
  await ensureStateDir(dir);
  await writeFileDurable(path.join(dir, `${entry.applyId}.json`), `${JSON.stringify(ledgerEntrySchema.parse(entry), null, 2)}\n`, 0o600);
}

export async function loadEntry(stateDir: string, applyId: string): Promise<LedgerEntry | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(ledgerDir(stateDir), `${tuneApplyIdSchema.parse(applyId)}.json`), "utf8");
  } catch {
    return null;
  }
  return ledgerEntrySchema.parse(JSON.parse(text));
}

/** Every readable entry, oldest first. A corrupt file is skipped (it cannot be one we wrote: writes are atomic). */
export async function listEntries(stateDir: string): Promise<LedgerEntry[]> {
  let names: string[];
  try {
    names = await fsp.readdir(ledgerDir(stateDir));
  } catch {
    return [];
  }
  const out: LedgerEntry[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    try {
      const parsed = ledgerEntrySchema.safeParse(JSON.parse(await fsp.readFile(path.join(ledgerDir(stateDir), name), "utf8")));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // unreadable: ignore
    }
  }
  return out.sort((a, b) => (a.createdAt === b.createdAt ? a.applyId.localeCompare(b.applyId) : a.createdAt.localeCompare(b.createdAt)));
}

/** The newest entry of `action` on `root` still in force (applied, or interrupted mid-apply). */
export async function latestInForce(stateDir: string, action: string, root: string): Promise<LedgerEntry | null> {
  const entries = (await listEntries(stateDir)).filter((e) => e.action === action && e.root === root && (e.state === "applied" || e.state === "applying"));
  return entries.at(-1) ?? null;
}

export function toB64(data: Buffer | string): string {
  return (typeof data === "string" ? Buffer.from(data, "utf8") : data).toString("base64");
}

export function fromB64(text: string): Buffer {
  return Buffer.from(text, "base64");
}
