import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { TuneRequestError } from "@/agent/actions/tune/action";
import { runTune } from "@/agent/actions/tune/run-tune";
import { resolveStateDir } from "@/agent/state";
import { tuneApplyIdSchema, tuneModeSchema, type TuneOutcome } from "@/server/contract/tuning";

export const summary = "tune plan|apply|verify|rollback --action ID: change a host setting with a ledger to undo it";

const USAGE = "usage: tune plan|apply|verify|rollback --action ID [--param key=value]… [--root DIR] [--state DIR] [--apply-id ID] [--json]";

const flagsSchema = z
  .object({
    action: z.string({ error: "is required" }).min(1),
    root: z.string().min(1).default("/"),
    state: z.string().min(1).optional(),
    param: z.array(z.string()).default([]),
    "apply-id": tuneApplyIdSchema.optional(),
    json: z.boolean().default(false),
  })
  .strict();

/** `key=value` list → record; a repeated key or a missing "=" is a usage error. */
function paramsOf(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new TuneRequestError(`--param ${item.slice(0, 60)}: expected key=value`);
    const key = item.slice(0, eq);
    if (Object.hasOwn(out, key)) throw new TuneRequestError(`--param ${key} given twice`);
    out[key] = item.slice(eq + 1);
  }
  return out;
}

function human(o: TuneOutcome): string {
  const lines = [`${o.mode} ${o.action}: ${o.ok ? "ok" : `FAILED ${o.error ?? ""}`}${o.rebootRequired ? " (reboot required)" : ""}`];
  if (o.mode === "plan" || o.mode === "apply") for (const c of o.changes) lines.push(`  ${c.path}: ${JSON.stringify(c.current)} → ${JSON.stringify(c.target)} [${c.effect}] ${c.note}`);
  if (o.mode === "verify") for (const c of o.checks) lines.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.path}: ${c.note}`);
  if (o.mode === "rollback") for (const r of o.restored) lines.push(`  ${r.path}: ${r.to}`);
  for (const s of o.skipped) lines.push(`  skipped ${s.path}: ${s.reason}`);
  for (const n of o.notes) lines.push(`  note: ${n}`);
  if ((o.mode === "apply" || o.mode === "verify" || o.mode === "rollback") && o.applyId) lines.push(`  apply id: ${o.applyId}`);
  return `${lines.join("\n")}\n`;
}

function fail(message: string): number {
  process.stderr.write(`tune: ${message.replace(/\s+/g, " ").trim()}\n`);
  return 2;
}

/** Exit 0: ok; 1: the action failed (outcome printed); 2: usage, unknown action or bad parameters (one line on stderr). */
export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { action: { type: "string" }, root: { type: "string" }, state: { type: "string" }, param: { type: "string", multiple: true }, "apply-id": { type: "string" }, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return fail(`${err instanceof Error ? err.message : String(err)} (${USAGE})`);
  }
  const mode = tuneModeSchema.safeParse(parsed.positionals[0]);
  if (!mode.success || parsed.positionals.length !== 1) return fail(`expected one of plan, apply, verify, rollback (${USAGE})`);
  const flags = flagsSchema.safeParse(parsed.values);
  if (!flags.success) return fail(flags.error.issues.map((i) => `--${i.path.join(".")} ${i.message}`).join("; "));
  const f = flags.data;
  if (!statSync(f.root, { throwIfNoEntry: false })?.isDirectory()) return fail(`--root ${f.root} is not a directory`);
  let outcome: TuneOutcome;
  try {
    outcome = await runTune({ root: f.root, stateDir: resolveStateDir(f.state), mode: mode.data, action: f.action, params: paramsOf(f.param), ...(f["apply-id"] ? { applyId: f["apply-id"] } : {}) });
  } catch (err) {
    if (err instanceof TuneRequestError) return fail(err.message);
    throw err;
  }
  process.stdout.write(f.json ? `${JSON.stringify(outcome)}\n` : human(outcome));
  return outcome.ok ? 0 : 1;
}
