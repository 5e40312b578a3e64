import path from "node:path";
import { z } from "zod";
import { migrateParamsSchema, predictMigrationParamsSchema } from "@/server/contract/migration";
import { tuneActionIdSchema, tuneJobParamsSchema } from "@/server/contract/tuning";
import type { JobJson } from "@/server/contract/job";

/** What a job action returns to the runner: the job's outcome and a JSON result for the server. */
export type ActionOutcome = { outcome: "succeeded" | "failed" | "cancelled"; reason: string | null; result: JobJson };

export type ActionContext = {
  signal: AbortSignal;
  onProgress: (progress: JobJson) => void;
  stateDir: string;
  root: string;
};

/**
 * One action the agent is willing to run. `params` is the agent's OWN schema: whatever the server
 * sent is parsed with it (strict: unknown keys refused) before anything runs. No action builds a shell
 * command line from parameters.
 */
export type JobAction<P> = {
  params: z.ZodType<P>;
  /** a short label for the local journal */
  describe: (p: P) => string;
  run: (p: P, ctx: ActionContext) => Promise<ActionOutcome>;
  /** after an agent restart found this job started: what the host says now (never resumes or re-runs it) */
  inspectAfterRestart: (p: P) => Promise<string>;
};

/** A job whose parameters passed the action's schema, bound to them. */
export type AcceptedJob = { description: string; run: (ctx: ActionContext) => Promise<ActionOutcome>; inspectAfterRestart: () => Promise<string> };

export type CatalogueEntry = { accept: (raw: unknown) => { ok: true; job: AcceptedJob } | { ok: false; error: string } };

/** "field: message; field: message" — what the operator reads when the agent refuses a job. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(params)"}: ${i.message}`)
    .join("; ");
}

export function catalogueEntry<P>(action: JobAction<P>): CatalogueEntry {
  return {
    accept: (raw) => {
      const parsed = action.params.safeParse(raw);
      if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
      const p = parsed.data;
      return { ok: true, job: { description: action.describe(p), run: (ctx) => action.run(p, ctx), inspectAfterRestart: () => action.inspectAfterRestart(p) } };
    },
  };
}

const absoluteSocketPath = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => path.isAbsolute(p) && !p.includes("\0") && path.normalize(p) === p, { message: "an absolute, normalised path" });

/**
 * Migration parameters as the agent accepts them: the contract's schema, strict, plus what only the
 * agent can insist on. `exec:` (QEMU runs a shell command) and `file:` URIs are refused: only a
 * network or socket destination.
 */
export const agentMigrateParamsSchema = migrateParamsSchema
  .extend({
    qmpSocket: absoluteSocketPath,
    destQmpSocket: absoluteSocketPath.nullable().default(null),
    uri: z
      .string()
      .max(512)
      .regex(/^(tcp:[A-Za-z0-9.\-[\]:]+:\d{1,5}|unix:\/[^\0\s]*|rdma:[A-Za-z0-9.\-[\]:]+:\d{1,5})$/, {
        message: "tcp:HOST:PORT, unix:/PATH or rdma:HOST:PORT only (no exec:, fd: or file:)",
      }),
  })
  .strict();

/** The pre-flight prediction's parameters: only the VM's own monitor socket and the two limits. */
export const agentPredictMigrationParamsSchema = predictMigrationParamsSchema.extend({ qmpSocket: absoluteSocketPath }).strict();

export const agentTuneParamsSchema = tuneJobParamsSchema.extend({ action: tuneActionIdSchema });

function qemuState(status: string): string {
  return `QEMU query-migrate reports "${status}"`;
}

const migrate: JobAction<z.infer<typeof agentMigrateParamsSchema>> = {
  params: agentMigrateParamsSchema,
  describe: (p) => `migrate ${p.qmpSocket} → ${p.uri} (downtime ≤ ${p.downtimeLimitMs} ms)`,
  run: async (p, ctx) => {
    const { runMigration } = await import("@/agent/actions/migrate");
    const result = await runMigration(p, { signal: ctx.signal, onProgress: (progress) => ctx.onProgress(progress) });
    const outcome = result.status === "completed" ? "succeeded" : result.status === "cancelled" ? "cancelled" : "failed";
    return { outcome, reason: result.reason, result };
  },
  inspectAfterRestart: async (p) => {
    const { inspectMigration } = await import("@/agent/actions/migrate");
    try {
      return qemuState((await inspectMigration(p.qmpSocket)).status);
    } catch (err) {
      return `QEMU's monitor ${p.qmpSocket} could not be asked (${err instanceof Error ? err.message : String(err)})`;
    }
  },
};

const predictMigration: JobAction<z.infer<typeof agentPredictMigrationParamsSchema>> = {
  params: agentPredictMigrationParamsSchema,
  describe: (p) =>
    `predict migration of ${p.qmpSocket} (downtime ≤ ${p.downtimeLimitMs} ms, bandwidth ${p.maxBandwidthBytesPerS === null ? "QEMU's" : `${p.maxBandwidthBytesPerS} B/s`})`,
  run: async (p, ctx) => {
    const { runPrediction } = await import("@/agent/actions/migrate");
    const result = await runPrediction(p, { signal: ctx.signal });
    if (ctx.signal.aborted) return { outcome: "cancelled", reason: result.reason, result };
    // No prediction is still an answer the operator reads (with its reason) before deciding.
    return { outcome: "succeeded", reason: result.prediction === null ? result.reason : null, result };
  },
  // sampling only reads: nothing to undo or resume
  inspectAfterRestart: async (p) => `the dirty-rate sampling of ${p.qmpSocket} was interrupted (read-only, nothing changed); predict again`,
};

const tune: JobAction<z.infer<typeof agentTuneParamsSchema>> = {
  params: agentTuneParamsSchema,
  describe: (p) => `tune ${p.mode} ${p.action}`,
  run: async (p, ctx) => {
    const { runTune } = await import("@/agent/actions/tune/run-tune");
    const out = await runTune({ root: ctx.root, stateDir: ctx.stateDir, mode: p.mode, action: p.action, params: p.params, applyId: p.applyId });
    return { outcome: out.ok ? "succeeded" : "failed", reason: out.error, result: out };
  },
  // a tuning write is not resumable: say what was asked; verify can be run as a new job
  inspectAfterRestart: async (p) => `tuning ${p.mode} of ${p.action} was interrupted; run verify to see the host's values`,
};

/** The only actions this agent runs, by job kind. */
export const JOB_CATALOGUE: Readonly<Record<string, CatalogueEntry>> = {
  migrate: catalogueEntry(migrate),
  predict_migration: catalogueEntry(predictMigration),
  tune: catalogueEntry(tune),
};
