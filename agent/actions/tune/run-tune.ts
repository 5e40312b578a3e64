import { execFileSync } from "node:child_process";
import path from "node:path";
import { WritableHostFs } from "@/agent/hostfs";
import type { ActionPlan, AnyTuneAction, ApplyContext, BootState } from "@/agent/actions/tune/action";
import { TuneRequestError } from "@/agent/actions/tune/action";
import { TUNE_ACTIONS } from "@/agent/actions/tune/registry";
import { withLedgerLock } from "@/agent/actions/tune/lock";
import { fromB64, latestInForce, loadEntry, newApplyId, saveEntry, toB64, type LedgerEntry } from "@/agent/actions/tune/ledger";
import {
  tuneActionIdSchema,
  tuneApplyIdSchema,
  tuneModeSchema,
  tuneParamsSchema,
  type TuneActionId,
  type TuneAppliedChange,
  type TuneCheck,
  type TuneMode,
  type TuneOutcome,
} from "@/server/contract/tuning";

export interface TuneRequest {
  root: string;
  stateDir: string;
  mode: TuneMode;
  action: string;
  params: Record<string, string>;
  applyId?: string;
}

export interface TuneDeps {
  /** the filesystem to tune (tests inject one whose kernel refuses some writes) */
  fs?: WritableHostFs;
  now?: () => Date;
  /** runs a fixed argv (only ever called when root is "/") */
  exec?: (argv: string[]) => void;
  /** how long apply/rollback wait for another one holding the ledger lock (default TUNE_LOCK_WAIT_S) */
  lockWaitSeconds?: number;
}

/** Kernel errors that mean "this write is refused" rather than a broken host (EIO: managed IRQ; EINVAL: bad mask). */
const REFUSAL_CODES = new Set(["EIO", "EINVAL", "EPERM", "EACCES", "EBUSY", "ENOSPC"]);

function errCode(err: unknown): string | null {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : null;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function resolveAction(id: string): { id: TuneActionId; action: AnyTuneAction } {
  const parsed = tuneActionIdSchema.safeParse(id);
  if (!parsed.success) throw new TuneRequestError(`unknown action "${id.slice(0, 64)}" (known: ${tuneActionIdSchema.options.join(", ")})`);
  return { id: parsed.data, action: TUNE_ACTIONS[parsed.data] };
}

function parseParams(action: AnyTuneAction, raw: Record<string, string>): unknown {
  const base = tuneParamsSchema.safeParse(raw);
  if (!base.success) throw new TuneRequestError(`bad parameters: ${base.error.issues[0]?.message ?? "invalid"}`);
  const parsed = action.params.safeParse(base.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new TuneRequestError(`bad parameter ${where}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

async function applyContext(fs: WritableHostFs): Promise<ApplyContext> {
  return {
    bootId: (await fs.readTextOptional("proc/sys/kernel/random/boot_id"))?.trim() ?? null,
    procCmdline: (await fs.readTextOptional("proc/cmdline"))?.trim() ?? null,
  };
}

function defaultExec(argv: string[]): void {
  execFileSync(argv[0] as string, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
}

/**
 * The one entry point for tuning, used by `agent tune` and by the job runner.
 * Throws TuneRequestError for an unknown action or bad parameters; every other problem is an outcome with ok:false.
 */
export async function runTune(req: TuneRequest, deps: TuneDeps = {}): Promise<TuneOutcome> {
  const mode = tuneModeSchema.parse(req.mode);
  const { id, action } = resolveAction(req.action);
  const root = path.resolve(req.root);
  const stateDir = path.resolve(req.stateDir);
  if (root !== "/" && isInside(stateDir, root)) throw new TuneRequestError(`--state ${stateDir} is inside --root ${root}: the ledger must live outside the tree it tunes`);
  if (req.applyId !== undefined && !tuneApplyIdSchema.safeParse(req.applyId).success) throw new TuneRequestError("bad apply id");
  const fs = deps.fs ?? new WritableHostFs(root);
  const now = deps.now ?? (() => new Date());
  const exec = deps.exec ?? defaultExec;
  const base = { action: id, ok: true, error: null, rebootRequired: false, skipped: [], notes: [] };

  const failed = <T extends TuneOutcome>(o: T, err: unknown): T => {
    if (err instanceof TuneRequestError) throw err;
    return { ...o, ok: false, error: message(err) };
  };

  if (mode === "plan") {
    const empty: TuneOutcome = { mode, ...base, changes: [] };
    try {
      const params = parseParams(action, req.params);
      const plan = await action.plan(fs, params);
      const boot = await bootState(action, fs, params, null);
      return {
        mode,
        ...base,
        rebootRequired: boot?.rebootRequired ?? false,
        skipped: plan.skipped,
        notes: plan.notes,
        changes: plan.changes.map(({ path: p, current, target, effect, note }) => ({ path: p, current, target, effect, note })),
      };
    } catch (err) {
      return failed(empty, err);
    }
  }

  if (mode === "apply") {
    const empty: TuneOutcome = { mode, ...base, applyId: null, changes: [] };
    const params = parseParams(action, req.params);
    // Plan and write under the ledger lock: a second apply or rollback (another job, the CLI) waits or is refused.
    try {
      return await withLedgerLock(
        stateDir,
        async () => {
          let plan: ActionPlan;
          try {
            plan = await action.plan(fs, params);
          } catch (err) {
            return failed(empty, err);
          }
          if (plan.changes.length === 0) {
            const boot = await bootState(action, fs, params, null);
            return { ...empty, rebootRequired: boot?.rebootRequired ?? false, skipped: plan.skipped, notes: ["nothing to change: the host already matches", ...plan.notes] };
          }
          return applyPlan({ id, action, fs, root, stateDir, params, rawParams: req.params, plan, now, exec });
        },
        deps.lockWaitSeconds,
      );
    } catch (err) {
      return failed(empty, err);
    }
  }

  if (mode === "verify") {
    const empty: TuneOutcome = { mode, ...base, applyId: null, checks: [] };
    try {
      const entry = req.applyId ? await loadEntry(stateDir, req.applyId) : await latestInForce(stateDir, id, root);
      if (req.applyId && !entry) throw new TuneRequestError(`no ledger entry ${req.applyId}`);
      const rawParams = Object.keys(req.params).length > 0 || !entry ? req.params : entry.params;
      const params = parseParams(action, rawParams);
      return await verify({ id, action, fs, params, entry: entry && entry.state !== "rolled-back" ? entry : null });
    } catch (err) {
      return failed(empty, err);
    }
  }

  const empty: Extract<TuneOutcome, { mode: "rollback" }> = { mode: "rollback", ...base, applyId: null, restored: [] };
  try {
    return await withLedgerLock(stateDir, () => rollbackLocked(), deps.lockWaitSeconds);
  } catch (err) {
    return failed(empty, err);
  }

  async function rollbackLocked(): Promise<TuneOutcome> {
    const entry = req.applyId ? await loadEntry(stateDir, req.applyId) : await latestInForce(stateDir, id, root);
    if (!entry) return { ...empty, ok: false, error: req.applyId ? `no ledger entry ${req.applyId}` : `nothing to roll back: no apply of ${id} on ${root} in ${stateDir}` };
    if (entry.action !== id || entry.root !== root) throw new TuneRequestError(`ledger entry ${entry.applyId} is ${entry.action} on ${entry.root}, not ${id} on ${root}`);
    if (entry.state === "rolled-back") return { ...empty, applyId: entry.applyId, ok: false, error: `${entry.applyId} was already rolled back at ${entry.rolledBackAt ?? "?"}` };
    return await rollback({ action, fs, root, stateDir, entry, now, exec, params: parseParams(action, entry.params) });
  }
}

async function bootState(action: AnyTuneAction, fs: WritableHostFs, params: unknown, at: ApplyContext | null): Promise<BootState | null> {
  return action.bootState ? action.bootState(fs, params, at) : null;
}

/** Parent directories of `rel` that do not exist (outermost first): apply creates them, rollback removes them. */
async function missingDirs(fs: WritableHostFs, rel: string): Promise<string[]> {
  const parts = rel.split("/").slice(0, -1);
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join("/");
    if (!(await fs.exists(dir))) out.push(dir);
  }
  return out;
}

async function applyPlan(a: {
  id: TuneActionId;
  action: AnyTuneAction;
  fs: WritableHostFs;
  root: string;
  stateDir: string;
  params: unknown;
  rawParams: Record<string, string>;
  plan: ActionPlan;
  now: () => Date;
  exec: (argv: string[]) => void;
}): Promise<TuneOutcome> {
  const { fs, plan } = a;
  const at = a.now();
  const ctx = await applyContext(fs);
  const createdDirs: string[] = [];
  for (const c of plan.changes) for (const d of await missingDirs(fs, c.rel)) if (!createdDirs.includes(d)) createdDirs.push(d);
  const entry: LedgerEntry = {
    version: 1,
    applyId: newApplyId(a.id, at),
    action: a.id,
    params: a.rawParams,
    root: a.root,
    createdAt: at.toISOString(),
    state: "applying",
    bootId: ctx.bootId,
    procCmdline: ctx.procCmdline,
    createdDirs,
    changes: [],
    rolledBackAt: null,
  };
  for (const c of plan.changes) {
    const before = await fs.readBytes(c.rel);
    entry.changes.push({ rel: c.rel, path: c.path, before: before === null ? null : toB64(before), after: toB64(c.target), effect: c.effect, note: c.note, status: "pending" });
  }
  // The values to restore are on disk before the host is touched.
  await saveEntry(a.stateDir, entry);

  const applied: TuneAppliedChange[] = [];
  for (const [i, c] of plan.changes.entries()) {
    const logged = entry.changes[i];
    if (!logged) continue;
    try {
      await fs.writeFile(c.rel, Buffer.from(c.target, "utf8"));
      logged.status = "applied";
      applied.push({ path: c.path, current: c.current, target: c.target, effect: c.effect, note: c.note, status: "applied" });
    } catch (err) {
      const code = errCode(err);
      if (c.refusal && code !== null && REFUSAL_CODES.has(code)) {
        logged.status = "refused";
        logged.note = `${c.refusal} (${code})`;
        applied.push({ path: c.path, current: c.current, target: c.target, effect: c.effect, note: `${c.refusal} (${code})`, status: "refused" });
        continue;
      }
      // All or nothing: undo what this apply wrote, then report.
      await restoreEntry(fs, entry);
      entry.state = "failed";
      await saveEntry(a.stateDir, entry);
      return {
        mode: "apply",
        action: a.id,
        ok: false,
        error: `writing ${c.path} failed (${code ?? message(err)}); the changes already made were undone`,
        rebootRequired: false,
        skipped: plan.skipped,
        notes: plan.notes,
        applyId: entry.applyId,
        changes: applied,
      };
    }
  }
  entry.state = "applied";
  await saveEntry(a.stateDir, entry);
  const notes = [...plan.notes];
  let error: string | null = null;
  if (a.root === "/" && a.action.commandsAfterWrite) {
    for (const argv of await a.action.commandsAfterWrite(fs, a.params)) {
      try {
        a.exec(argv);
        notes.push(`ran ${argv.join(" ")}`);
      } catch (err) {
        error = `${argv.join(" ")} failed: ${message(err).split("\n")[0] ?? ""}`;
      }
    }
  }
  const boot = await bootState(a.action, fs, a.params, ctx);
  return {
    mode: "apply",
    action: a.id,
    ok: error === null,
    error,
    rebootRequired: boot?.rebootRequired ?? false,
    skipped: plan.skipped,
    notes,
    applyId: entry.applyId,
    changes: applied,
  };
}

async function verify(v: { id: TuneActionId; action: AnyTuneAction; fs: WritableHostFs; params: unknown; entry: LedgerEntry | null }): Promise<TuneOutcome> {
  const plan = await v.action.plan(v.fs, v.params);
  const refused = new Map((v.entry?.changes ?? []).filter((c) => c.status === "refused").map((c) => [c.path, c.note]));
  const outstanding = plan.changes.filter((c) => !refused.has(c.path));
  const checks: TuneCheck[] = [];
  for (const c of v.entry?.changes ?? []) {
    if (c.status === "refused") continue;
    const still = outstanding.find((o) => o.path === c.path);
    const actual = await v.fs.readTextOptional(c.rel);
    checks.push({ path: c.path, ok: still === undefined, expected: fromB64(c.after).toString("utf8"), actual, note: still ? `differs from what apply wrote: ${still.note}` : c.note });
  }
  for (const c of outstanding) {
    if (checks.some((k) => k.path === c.path)) continue;
    checks.push({ path: c.path, ok: false, expected: c.target, actual: c.current, note: c.note });
  }
  const skipped = [...plan.skipped, ...[...refused].map(([p, note]) => ({ path: p, reason: note }))];
  const boot = await bootState(v.action, v.fs, v.params, v.entry ? { bootId: v.entry.bootId, procCmdline: v.entry.procCmdline } : null);
  if (boot?.check) checks.push(boot.check);
  const bad = checks.filter((c) => !c.ok);
  const problem = boot?.problem ?? null;
  return {
    mode: "verify",
    action: v.id,
    ok: bad.length === 0 && problem === null,
    error: problem ?? (bad.length > 0 ? `${bad.length} value(s) differ from the target: ${bad.map((c) => c.path).slice(0, 5).join(", ")}` : null),
    rebootRequired: boot?.rebootRequired ?? false,
    skipped,
    notes: plan.notes,
    applyId: v.entry?.applyId ?? null,
    checks,
  };
}

/** Put back every byte apply changed (newest change first); remove the files and directories it created. */
async function restoreEntry(fs: WritableHostFs, entry: LedgerEntry): Promise<{ path: string; to: "previous" | "removed" }[]> {
  const restored: { path: string; to: "previous" | "removed" }[] = [];
  // An interrupted apply ("applying") may have written a change still marked pending: restore those too.
  const todo = entry.changes.filter((c) => c.status === "applied" || (entry.state === "applying" && c.status === "pending"));
  for (const c of [...todo].reverse()) {
    if (c.before === null) {
      await fs.removeFile(c.rel);
      restored.push({ path: c.path, to: "removed" });
    } else {
      await fs.writeFile(c.rel, fromB64(c.before));
      restored.push({ path: c.path, to: "previous" });
    }
  }
  for (const dir of [...entry.createdDirs].reverse()) await fs.removeEmptyDir(dir);
  return restored.reverse();
}

async function rollback(r: {
  action: AnyTuneAction;
  fs: WritableHostFs;
  root: string;
  stateDir: string;
  entry: LedgerEntry;
  now: () => Date;
  exec: (argv: string[]) => void;
  params: unknown;
}): Promise<TuneOutcome> {
  const { fs, entry } = r;
  // A config file someone edited after apply is not overwritten blindly (kernel files are: they hold no edits).
  const drifted: string[] = [];
  for (const c of entry.changes) {
    if (c.status !== "applied" || /^(?:proc|sys)\//.test(c.rel)) continue;
    const now = await fs.readBytes(c.rel);
    if (now === null || !now.equals(fromB64(c.after))) drifted.push(c.path);
  }
  const base = { mode: "rollback" as const, action: entry.action, skipped: [], notes: [], applyId: entry.applyId };
  if (drifted.length > 0) {
    return { ...base, ok: false, rebootRequired: false, restored: [], error: `changed since apply ${entry.applyId}: ${drifted.join(", ")} — roll back later applies first, or restore by hand` };
  }
  const restored = await restoreEntry(fs, entry);
  entry.state = "rolled-back";
  entry.rolledBackAt = r.now().toISOString();
  await saveEntry(r.stateDir, entry);
  const notes: string[] = [];
  let error: string | null = null;
  if (r.root === "/" && r.action.commandsAfterWrite) {
    for (const argv of await r.action.commandsAfterWrite(fs, r.params)) {
      try {
        r.exec(argv);
        notes.push(`ran ${argv.join(" ")}`);
      } catch (err) {
        error = `${argv.join(" ")} failed: ${message(err).split("\n")[0] ?? ""}`;
      }
    }
  }
  // A boot change that the running kernel already uses needs a reboot to be undone.
  const running = (await fs.readTextOptional("proc/cmdline"))?.trim() ?? null;
  const bootChanged = entry.changes.some((c) => c.effect === "boot" && c.status === "applied") && r.action.bootState !== undefined;
  const rebootRequired = bootChanged && running !== entry.procCmdline;
  if (rebootRequired) notes.push("the running kernel was booted with the tuned command line: reboot to return to the previous one");
  return { ...base, ok: error === null, error, rebootRequired, notes, restored };
}
