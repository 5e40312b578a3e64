import { z } from "zod";

/**
 * Tuning actions: plan → apply → verify → rollback. Shared by the agent (runTune, `agent tune`), the job
 * runner (a `tune` job's params) and the server (plans and results shown in the console).
 */

/** The catalogue. The compliance rules name these ids as their remediation (Rule.tuningActionId). */
export const TUNE_ACTION_IDS = [
  "tune.cmdline",
  "tune.governor",
  "tune.irq-affinity",
  "tune.irqbalance-ban",
  "tune.sysctl.sched_rt_runtime_us",
  "tune.cstates",
  "tune.hugepages",
  "tune.cat",
] as const;
export const tuneActionIdSchema = z.enum(TUNE_ACTION_IDS);
export type TuneActionId = z.infer<typeof tuneActionIdSchema>;

export const tuneModeSchema = z.enum(["plan", "apply", "verify", "rollback"]);
export type TuneMode = z.infer<typeof tuneModeSchema>;

/** Action parameters travel as strings (CLI `--param key=value`, job params); each action validates its own. */
export const tuneParamsSchema = z.record(z.string().min(1).max(64), z.string().max(4096));

/** A ledger entry id: "<UTC yyyymmddThhmmss>-<action>-<random>"; also a file name, so no "/" or "..". */
export const tuneApplyIdSchema = z.string().regex(/^[0-9]{8}T[0-9]{6}Z?-[a-z0-9._-]+-[0-9a-f]{8}$/, "an apply id from an earlier apply");

/** What the server puts in a `tune` job; validated again by the agent. */
export const tuneJobParamsSchema = z
  .object({
    mode: tuneModeSchema,
    action: z.string().min(1).max(64),
    params: tuneParamsSchema.default({}),
    applyId: tuneApplyIdSchema.optional(),
  })
  .strict();
export type TuneJobParams = z.infer<typeof tuneJobParamsSchema>;

/** runtime: the running system changes at once; boot: takes effect at the next boot (boot config, persistence). */
export const tuneEffectSchema = z.enum(["runtime", "boot"]);
export type TuneEffect = z.infer<typeof tuneEffectSchema>;

/** One line of a plan, like Ansible's check-mode diff: `path` as on the host, `current` null = file absent. */
export const tuneChangeSchema = z.object({
  path: z.string(),
  current: z.string().nullable(),
  target: z.string(),
  effect: tuneEffectSchema,
  note: z.string(),
});
export type TuneChange = z.infer<typeof tuneChangeSchema>;

/** Something the plan deliberately leaves alone, and why (e.g. a kernel-managed IRQ). */
export const tuneSkipSchema = z.object({ path: z.string(), reason: z.string() });
export type TuneSkip = z.infer<typeof tuneSkipSchema>;

export const tuneAppliedChangeSchema = tuneChangeSchema.extend({
  /** applied: written; refused: the kernel refused a write the plan expected it might (reason in `note`) */
  status: z.enum(["applied", "refused"]),
});
export type TuneAppliedChange = z.infer<typeof tuneAppliedChangeSchema>;

export const tuneCheckSchema = z.object({ path: z.string(), ok: z.boolean(), expected: z.string(), actual: z.string().nullable(), note: z.string() });
export type TuneCheck = z.infer<typeof tuneCheckSchema>;

const outcomeBase = {
  action: tuneActionIdSchema,
  ok: z.boolean(),
  /** why ok is false (or null) */
  error: z.string().nullable(),
  rebootRequired: z.boolean(),
  skipped: z.array(tuneSkipSchema),
  notes: z.array(z.string()),
};

export const tunePlanOutcomeSchema = z.object({ mode: z.literal("plan"), ...outcomeBase, changes: z.array(tuneChangeSchema) });
export const tuneApplyOutcomeSchema = z.object({
  mode: z.literal("apply"),
  ...outcomeBase,
  applyId: tuneApplyIdSchema.nullable(),
  changes: z.array(tuneAppliedChangeSchema),
});
export const tuneVerifyOutcomeSchema = z.object({
  mode: z.literal("verify"),
  ...outcomeBase,
  applyId: tuneApplyIdSchema.nullable(),
  checks: z.array(tuneCheckSchema),
});
export const tuneRollbackOutcomeSchema = z.object({
  mode: z.literal("rollback"),
  ...outcomeBase,
  applyId: tuneApplyIdSchema.nullable(),
  restored: z.array(z.object({ path: z.string(), to: z.enum(["previous", "removed"]) })),
});
export const tuneOutcomeSchema = z.discriminatedUnion("mode", [tunePlanOutcomeSchema, tuneApplyOutcomeSchema, tuneVerifyOutcomeSchema, tuneRollbackOutcomeSchema]);
export type TunePlanOutcome = z.infer<typeof tunePlanOutcomeSchema>;
export type TuneApplyOutcome = z.infer<typeof tuneApplyOutcomeSchema>;
export type TuneVerifyOutcome = z.infer<typeof tuneVerifyOutcomeSchema>;
export type TuneRollbackOutcome = z.infer<typeof tuneRollbackOutcomeSchema>;
export type TuneOutcome = z.infer<typeof tuneOutcomeSchema>;

/**
 * jobs.createTune: an operator asks a host's agent to plan, apply, verify or roll back a tuning action
 * (from a failing rule's "Fix…"). The agent validates the action's own parameters again.
 */
export const createTuneJobInput = z
  .object({
    hostId: z.string().uuid(),
    mode: tuneModeSchema,
    action: tuneActionIdSchema,
    params: tuneParamsSchema.refine((p) => Object.keys(p).length <= 16, "at most 16 parameters").default({}),
    applyId: tuneApplyIdSchema.optional(),
    /** the compliance rule this fixes, for the audit trail */
    ruleId: z.string().min(1).max(128).regex(/^[a-z0-9._-]+$/).optional(),
    idempotencyKey: z.string().min(8).max(128).regex(/^[A-Za-z0-9._:-]+$/, { message: "letters, digits, . _ : - only" }),
  })
  .strict()
  .refine((i) => i.mode !== "rollback" || i.applyId !== undefined, { message: "rollback needs the applyId of the apply to undo", path: ["applyId"] });
export type CreateTuneJobInput = z.infer<typeof createTuneJobInput>;
