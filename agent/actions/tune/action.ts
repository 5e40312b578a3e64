import type { z } from "zod";
import type { HostFs } from "@/agent/hostfs";
import type { TuneActionId, TuneChange, TuneCheck, TuneSkip } from "@/server/contract/tuning";

/** A planned write. `rel` is the path under the root ("proc/sys/…"); `path` the same as on the host ("/proc/sys/…"). */
export interface PlannedChange extends TuneChange {
  rel: string;
  /** The kernel may refuse this write (e.g. an IRQ it manages): report this reason instead of failing the action. */
  refusal?: string;
}

export interface ActionPlan {
  changes: PlannedChange[];
  skipped: TuneSkip[];
  notes: string[];
}

/** What a boot-time action knows about the running kernel versus its boot configuration. */
export interface BootState {
  rebootRequired: boolean;
  /** set when the host rebooted and still does not run what was configured: verification fails */
  problem: string | null;
  check: TuneCheck | null;
}

/** Facts about the running system recorded in the ledger at apply time. */
export interface ApplyContext {
  bootId: string | null;
  procCmdline: string | null;
}

/** Bad parameters or an unknown action: the CLI exits 2 with one line on stderr. */
export class TuneRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TuneRequestError";
  }
}

/** The host cannot take this action as asked (no resctrl, no boot configuration…): a failed outcome. */
export class TuneHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TuneHostError";
  }
}

export interface TuneAction<P> {
  id: TuneActionId;
  /** validates the string parameters; unknown keys are refused */
  params: z.ZodType<P, Record<string, string>>;
  /** Read through fs and compute the diff; never writes. Throws TuneHostError/TuneRequestError. */
  plan(fs: HostFs, params: P): Promise<ActionPlan>;
  /** Boot-time actions: compare the running kernel with what is configured. */
  bootState?(fs: HostFs, params: P, appliedAt: ApplyContext | null): Promise<BootState>;
  /** Fixed argv to run after apply and after rollback, only when the root is the real "/" (update-grub, restart irqbalance). */
  commandsAfterWrite?(fs: HostFs, params: P): Promise<string[][]>;
}

/** Plain change constructor: host path from the relative one. */
export function change(rel: string, current: string | null, target: string, effect: TuneChange["effect"], note: string, refusal?: string): PlannedChange {
  return { rel, path: `/${rel}`, current, target, effect, note, ...(refusal ? { refusal } : {}) };
}

/** Type-erased action for the registry. */
export type AnyTuneAction = TuneAction<unknown>;

export function defineAction<P>(action: TuneAction<P>): AnyTuneAction {
  return action as unknown as AnyTuneAction;
}
