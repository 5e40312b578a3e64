/**
 * Live migration of a QEMU VM over QMP (the agent's `migrate` action; the CLI and the job runner both
 * call runMigration). It probes what this QEMU accepts instead of trusting its version, predicts
 * convergence from a sampled dirty rate, runs the migration while sampling query-migrate several times
 * a second (and right after each MIGRATION_PASS), applies the operator's non-convergence policy, and
 * reports QEMU's own figures judged against the 2 s / 10 ms requirement.
 */
import type { MigrateParams, MigrateProgress, MigrateResult, MigrationCapability, MigrationPrediction, PredictMigrationParams, PredictMigrationResult } from "@/server/contract/migration";
import { migrateParamsSchema, predictMigrationParamsSchema } from "@/server/contract/migration";
import { assessConvergence, nextDowntimeLimitMs, type ConvergenceSample } from "@/server/domain/migration/convergence";
import { predictMigration } from "@/server/domain/migration/prediction";
import { dirtyRateMibToBytesPerS } from "@/server/domain/migration/units";
import { judgeMigration } from "@/server/domain/migration/verdict";
import {
  ACTIVE_MIGRATION_STATUSES,
  TERMINAL_MIGRATION_STATUSES,
  memorySizeSummarySchema,
  migrateCapabilitiesSchema,
  migrateParametersSchema,
  parseQueryMigrate,
  queryDirtyRateSchema,
  queryStatusSchema,
  toProgress,
  type QueryMigrateInfo,
} from "@/agent/actions/query-migrate";
import { QmpClient, QmpCommandError, type QmpEvent } from "@/agent/actions/qmp-client";
import { estimateGuestRam } from "@/agent/actions/guest-ram";

export type MigrateHooks = { onProgress: (p: MigrateProgress) => void; signal: AbortSignal; now?: () => number };

/** "Several times a second"; plus one sample right after every MIGRATION_PASS event. */
const POLL_INTERVAL_MS = 200;
const COMMAND_TIMEOUT_MS = 10_000;
/** How long the destination may take to resume after the source says "completed". */
const DEST_RESUME_TIMEOUT_MS = 10_000;
/** How long QEMU may take to reach "cancelled" after migrate_cancel. */
const CANCEL_TIMEOUT_MS = 15_000;
const DIRTY_RATE_CALC_TIME_S = 1;
/** Bound on waiting for QEMU's final figures once it says "completed". */
const SETTLE_TIMEOUT_MS = 3_000;
/** Sampled pages per GiB (QEMU's range is 128..4096): more samples, less noise in a small guest. */
const DIRTY_RATE_SAMPLE_PAGES = 4096;
/** Capabilities that the destination must have as well for them to work. */
const BOTH_SIDES: ReadonlySet<MigrationCapability> = new Set(["postcopy-ram", "multifd", "xbzrle"]);
const MANAGED_CAPABILITIES: readonly MigrationCapability[] = ["postcopy-ram", "auto-converge", "multifd", "xbzrle"];

type Ending = { status: "completed" | "failed" | "cancelled"; reason: string | null };

export async function runMigration(rawParams: MigrateParams, hooks: MigrateHooks): Promise<MigrateResult> {
  const params = migrateParamsSchema.parse(rawParams);
  const now = hooks.now ?? Date.now;
  const policySteps: string[] = [];
  let prediction: MigrationPrediction | null = null;
  let src: QmpClient | null = null;
  let dest: QmpClient | null = null;
  const base = (ending: Ending, info: Partial<Figures> = {}): MigrateResult => ({
    type: "result",
    status: ending.status,
    totalTimeMs: info.totalTimeMs ?? null,
    downtimeMs: info.downtimeMs ?? null,
    setupTimeMs: info.setupTimeMs ?? null,
    transferredBytes: info.transferredBytes ?? null,
    passes: info.passes ?? null,
    verdict: "fail",
    reason: ending.reason,
    policySteps,
    sourceRunning: null,
    prediction,
  });

  try {
    try {
      src = await QmpClient.connect(params.qmpSocket, { timeoutMs: COMMAND_TIMEOUT_MS, signal: hooks.signal });
    } catch (err) {
      return base({ status: hooks.signal.aborted ? "cancelled" : "failed", reason: `source QMP: ${message(err)}` });
    }
    const source = src;
    const finish = async (ending: Ending, figures: Partial<Figures> = {}): Promise<MigrateResult> => {
      const result = base(ending, figures);
      result.sourceRunning = await vmRunning(source);
      if (ending.status === "completed") {
        const judged = judgeMigration(result);
        result.verdict = judged.verdict;
        result.reason = ending.reason === null ? judged.reason : `${judged.reason}; ${ending.reason}`;
      } else if (result.sourceRunning !== null) {
        result.reason = `${ending.reason ?? `migration ${ending.status}`}; the VM is ${result.sourceRunning ? "still running on the source" : "NOT running on the source"}`;
      }
      return result;
    };

    // Probe what this QEMU accepts: capability and parameter names, and whether a migration is already under way.
    const offered = new Map(migrateCapabilitiesSchema.parse(await source.execute("query-migrate-capabilities")).map((c) => [c.capability, c.state]));
    const parameterNames = new Set(Object.keys(migrateParametersSchema.parse(await source.execute("query-migrate-parameters"))));
    const current = parseQueryMigrate(await source.execute("query-migrate"));
    if (ACTIVE_MIGRATION_STATUSES.has(current.status)) {
      return await finish({ status: "failed", reason: `a migration is already under way on the source (status ${current.status}); not touching it` });
    }
    const missing = params.capabilities.filter((c) => !offered.has(c));
    if (missing.length > 0) return await finish({ status: "failed", reason: `this QEMU does not offer migration capability ${missing.join(", ")}` });
    if (!parameterNames.has("downtime-limit")) return await finish({ status: "failed", reason: "this QEMU has no downtime-limit migration parameter" });
    if (params.maxBandwidthBytesPerS !== null && !parameterNames.has("max-bandwidth")) {
      return await finish({ status: "failed", reason: "this QEMU has no max-bandwidth migration parameter" });
    }

    if (params.destQmpSocket !== null) {
      try {
        dest = await QmpClient.connect(params.destQmpSocket, { timeoutMs: COMMAND_TIMEOUT_MS, signal: hooks.signal });
      } catch (err) {
        return await finish({ status: hooks.signal.aborted ? "cancelled" : "failed", reason: `destination QMP: ${message(err)}` });
      }
      const destStatus = queryStatusSchema.parse(await dest.execute("query-status"));
      if (destStatus.status !== "inmigrate") {
        return await finish({ status: "failed", reason: `the destination is not waiting for an incoming migration (status ${destStatus.status})` });
      }
    }
    const destination = dest;
    let destResumed = false;
    destination?.onEvent((event) => {
      if (event.event === "RESUME") destResumed = true;
    });

    const bandwidth = params.maxBandwidthBytesPerS ?? numberParam(await source.execute("query-migrate-parameters"), "max-bandwidth");
    prediction = (await sampleAndPredict(source, params.qmpSocket, { downtimeLimitMs: params.downtimeLimitMs, bandwidthBytesPerS: bandwidth, signal: hooks.signal })).prediction;
    if (hooks.signal.aborted) return await finish({ status: "cancelled", reason: "cancelled before the migration started" });

    // Capabilities: the `events` one so the source emits MIGRATION / MIGRATION_PASS, the chosen ones on,
    // the other managed ones off (a previous run may have left them on).
    const capabilityStates = (forDest: boolean) =>
      MANAGED_CAPABILITIES.filter((c) => offered.has(c) && (!forDest || BOTH_SIDES.has(c))).map((c) => ({ capability: c, state: params.capabilities.includes(c) }));
    const srcCapabilities = [...(offered.has("events") ? [{ capability: "events", state: true }] : []), ...capabilityStates(false)];
    await source.execute("migrate-set-capabilities", { capabilities: srcCapabilities });
    if (!offered.has("events")) policySteps.push("this QEMU has no `events` capability: polling query-migrate only");
    if (destination) {
      const destCapabilities = capabilityStates(true);
      if (destCapabilities.length > 0) await destination.execute("migrate-set-capabilities", { capabilities: destCapabilities });
    }
    await source.execute("migrate-set-parameters", {
      "downtime-limit": params.downtimeLimitMs,
      ...(params.maxBandwidthBytesPerS !== null ? { "max-bandwidth": params.maxBandwidthBytesPerS } : {}),
    });

    const run = await followMigration(source, params, hooks, now, policySteps);
    if (run.ending.status === "completed" && destination) {
      const resumed = destResumed || (await waitUntilRunning(destination, () => destResumed, DEST_RESUME_TIMEOUT_MS));
      if (!resumed) {
        const status = await vmStatus(destination);
        return await finish({ status: "failed", reason: `the source completed but the destination did not resume (status ${status ?? "unknown"})` }, run.figures);
      }
    }
    return await finish(run.ending, run.figures);
  } catch (err) {
    const result = base({ status: hooks.signal.aborted ? "cancelled" : "failed", reason: message(err) });
    if (src && !src.closed) {
      // Never leave a half-started migration behind: cancel it, then say where the VM runs.
      await cancelMigration(src).catch(() => undefined);
      result.sourceRunning = await vmRunning(src);
      if (result.sourceRunning !== null) result.reason = `${result.reason}; the VM is ${result.sourceRunning ? "still running on the source" : "NOT running on the source"}`;
    }
    return result;
  } finally {
    src?.close();
    dest?.close();
  }
}

/** After an agent restart: what QEMU itself says about the migration (never resumes or re-runs it). */
export async function inspectMigration(qmpSocket: string): Promise<{ status: string; raw: unknown }> {
  const client = await QmpClient.connect(qmpSocket, { timeoutMs: COMMAND_TIMEOUT_MS });
  try {
    const raw = await client.execute("query-migrate");
    return { status: parseQueryMigrate(raw).status, raw };
  } finally {
    client.close();
  }
}

/** Samples the VM's dirty rate (page-sampling: the bitmap and ring modes crash QEMU 7.2 under TCG) and predicts. */
export async function predictMigrationFor(
  qmpSocket: string,
  options: { downtimeLimitMs: number; maxBandwidthBytesPerS: number | null; signal?: AbortSignal },
): Promise<MigrationPrediction | null> {
  const client = await QmpClient.connect(qmpSocket, { timeoutMs: COMMAND_TIMEOUT_MS, signal: options.signal });
  try {
    const bandwidth = options.maxBandwidthBytesPerS ?? numberParam(await client.execute("query-migrate-parameters"), "max-bandwidth");
    return (await sampleAndPredict(client, qmpSocket, { downtimeLimitMs: options.downtimeLimitMs, bandwidthBytesPerS: bandwidth, signal: options.signal })).prediction;
  } finally {
    client.close();
  }
}

/**
 * The `predict_migration` action (job and CLI): the pre-flight the operator sees before confirming a
 * migration. Read-only on the VM: calc-dirty-rate in page-sampling mode, query-dirty-rate, the memory
 * size, the non-zero part of guest RAM (the QEMU process's pagemap and memory, see guest-ram.ts) and
 * QEMU's own max-bandwidth when none is given. No prediction (with the reason) rather than a
 * guess when this QEMU cannot sample or a migration is already under way.
 */
export async function runPrediction(rawParams: PredictMigrationParams, options: { signal: AbortSignal; now?: () => number }): Promise<PredictMigrationResult> {
  const params = predictMigrationParamsSchema.parse(rawParams);
  const now = options.now ?? Date.now;
  const started = now();
  const done = (prediction: MigrationPrediction | null, reason: string | null): PredictMigrationResult => ({ type: "prediction", prediction, reason, sampledMs: Math.max(0, now() - started) });
  const client = await QmpClient.connect(params.qmpSocket, { timeoutMs: COMMAND_TIMEOUT_MS, signal: options.signal });
  try {
    const status = queryStatusSchema.parse(await client.execute("query-status"));
    if (!status.running) return done(null, `the VM is not running (status ${status.status}): its dirty rate says nothing about a migration`);
    const current = parseQueryMigrate(await client.execute("query-migrate"));
    if (ACTIVE_MIGRATION_STATUSES.has(current.status)) return done(null, `a migration is already under way on this VM (status ${current.status})`);
    const bandwidth = params.maxBandwidthBytesPerS ?? numberParam(await client.execute("query-migrate-parameters"), "max-bandwidth");
    const sampled = await sampleAndPredict(client, params.qmpSocket, { downtimeLimitMs: params.downtimeLimitMs, bandwidthBytesPerS: bandwidth, signal: options.signal });
    if (options.signal.aborted) return done(null, "cancelled while sampling");
    return done(sampled.prediction, sampled.reason);
  } finally {
    client.close();
  }
}

type Figures = { totalTimeMs: number; downtimeMs: number; setupTimeMs: number; transferredBytes: number; passes: number };

async function sampleAndPredict(
  client: QmpClient,
  qmpSocket: string,
  options: { downtimeLimitMs: number; bandwidthBytesPerS: number | null; signal?: AbortSignal },
): Promise<{ prediction: MigrationPrediction | null; reason: string | null }> {
  if (options.bandwidthBytesPerS === null) return { prediction: null, reason: "no bandwidth given and this QEMU reports no max-bandwidth" };
  try {
    await client.execute("calc-dirty-rate", { "calc-time": DIRTY_RATE_CALC_TIME_S, "sample-pages": DIRTY_RATE_SAMPLE_PAGES, mode: "page-sampling" });
  } catch (err) {
    // this QEMU cannot sample: no prediction rather than no migration
    if (err instanceof QmpCommandError) return { prediction: null, reason: `calc-dirty-rate refused: ${err.message}` };
    throw err;
  }
  const deadline = Date.now() + DIRTY_RATE_CALC_TIME_S * 1000 + 5_000;
  while (Date.now() < deadline && !options.signal?.aborted) {
    await sleep(DIRTY_RATE_CALC_TIME_S * 1000 * 0.25, options.signal);
    const rate = queryDirtyRateSchema.parse(await client.execute("query-dirty-rate"));
    if (rate.status === "measured" && rate["dirty-rate"] !== undefined) {
      const memory = memorySizeSummarySchema.parse(await client.execute("query-memory-size-summary"));
      // The non-zero part of guest RAM, from the QEMU process (zero pages cost only a header); unknown → all of RAM.
      const ram = await estimateGuestRam(qmpSocket, memory["base-memory"]).catch(() => null);
      const prediction = predictMigration({
        nonZeroBytes: ram === null ? null : (ram.nonZeroBytes ?? ram.residentBytes) + (memory["plugged-memory"] ?? 0),
        dirtyBytesPerS: dirtyRateMibToBytesPerS(rate["dirty-rate"]),
        bandwidthBytesPerS: options.bandwidthBytesPerS,
        downtimeLimitMs: options.downtimeLimitMs,
        memoryBytes: memory["base-memory"] + (memory["plugged-memory"] ?? 0),
        sampleWindowMs: (rate["calc-time"] ?? DIRTY_RATE_CALC_TIME_S) * 1000,
      });
      return { prediction, reason: null };
    }
  }
  return { prediction: null, reason: options.signal?.aborted ? "cancelled while sampling" : "QEMU did not report a measured dirty rate in time" };
}

/** Starts the migration and follows it to its end, applying the non-convergence policy and the timeout. */
async function followMigration(
  src: QmpClient,
  params: MigrateParams,
  hooks: MigrateHooks,
  now: () => number,
  policySteps: string[],
): Promise<{ ending: Ending; figures: Partial<Figures> }> {
  let wake: (() => void) | null = null;
  let lastPassEvent: number | null = null;
  const offEvents = src.onEvent((event: QmpEvent) => {
    if (event.event === "MIGRATION_PASS" && typeof event.data?.pass === "number") lastPassEvent = event.data.pass;
    if (event.event === "MIGRATION_PASS" || event.event === "MIGRATION") wake?.();
  });
  const onAbort = () => wake?.();
  hooks.signal.addEventListener("abort", onAbort);
  try {
    await src.execute("migrate", { uri: params.uri });
    const startedAt = now();
    const deadline = startedAt + params.timeoutS * 1000;
    const samples: ConvergenceSample[] = [];
    let lastWithFigures: QueryMigrateInfo | null = null;
    let downtimeLimit = params.downtimeLimitMs;
    let afterPass = 1;
    let minPasses = 2;
    let postcopyStarted = false;
    let stop: Ending | null = null;
    let cancelIssuedAt = 0;

    for (;;) {
      const info = parseQueryMigrate(await src.execute("query-migrate", undefined, { timeoutMs: COMMAND_TIMEOUT_MS }));
      if (info.ram) lastWithFigures = info;
      const progress = toProgress(info, info["total-time"] ?? now() - startedAt, lastPassEvent);
      hooks.onProgress(progress);
      samples.push(progress);

      if (TERMINAL_MIGRATION_STATUSES.has(info.status)) {
        if (info.status === "completed") {
          // A cancel can lose the race against the final stop-and-copy: report what really happened.
          const reason = stop === null ? null : `completed before the cancel took effect (${stop.reason ?? stop.status})`;
          return { ending: { status: "completed", reason }, figures: completedFigures(await settledCompletion(src, info)) };
        }
        const reason = stop?.reason ?? (info.status === "failed" ? `QEMU: ${info["error-desc"] ?? "migration failed"}` : "migration cancelled outside nfvdeck");
        return { ending: { status: stop?.status ?? (info.status === "cancelled" ? "cancelled" : "failed"), reason }, figures: partialFigures(lastWithFigures) };
      }

      if (stop === null) {
        const pass = progress.pass ?? 0;
        if (hooks.signal.aborted) {
          stop = { status: "cancelled", reason: "cancelled by the operator" };
        } else if (now() >= deadline) {
          stop = { status: "failed", reason: `timed out after ${params.timeoutS} s (status ${info.status}, pass ${pass})` };
          policySteps.push(`timeout after ${params.timeoutS} s: migrate_cancel`);
        } else if (!postcopyStarted && info.status === "active") {
          // After a raise, one pass whose dirty set still exceeds the new limit is enough to raise again: a guest
          // whose working set saturates dirties as much in a short pass as in a long one.
          const assessment = assessConvergence(samples, { downtimeLimitMs: downtimeLimit, minPasses, afterPass, farFactor: minPasses === 1 ? 1 : 2 });
          if (assessment.kind === "not-converging") {
            const why = `pass ${pass}: ${assessment.reason}`;
            if (params.onNoConvergence === "postcopy" && params.capabilities.includes("postcopy-ram")) {
              await src.execute("migrate-start-postcopy");
              postcopyStarted = true;
              policySteps.push(`${why}: migrate-start-postcopy`);
            } else if (params.onNoConvergence === "postcopy") {
              stop = { status: "failed", reason: `did not converge (${assessment.reason}); postcopy-ram was not enabled, so cancelled` };
              policySteps.push(`${why}: postcopy-ram not enabled, migrate_cancel`);
            } else if (params.onNoConvergence === "raise") {
              const next = nextDowntimeLimitMs(downtimeLimit);
              if (next === null) {
                stop = { status: "failed", reason: `did not converge even at the ${downtimeLimit} ms cap (${assessment.reason}); cancelled` };
                policySteps.push(`${why}: cap ${downtimeLimit} ms reached, migrate_cancel`);
              } else {
                await src.execute("migrate-set-parameters", { "downtime-limit": next });
                policySteps.push(`${why}: downtime-limit ${downtimeLimit} → ${next} ms`);
                downtimeLimit = next;
                // Judge the new limit on the passes that follow, one pass at a time.
                afterPass = pass;
                minPasses = 1;
              }
            } else {
              stop = { status: "failed", reason: `did not converge (${assessment.reason}); cancelled` };
              policySteps.push(`${why}: migrate_cancel`);
            }
          }
        }
        if (stop !== null) {
          await src.execute("migrate_cancel");
          cancelIssuedAt = now();
        }
      } else if (now() >= cancelIssuedAt + CANCEL_TIMEOUT_MS) {
        const reason = `${stop.reason ?? stop.status}; QEMU did not reach a final state after migrate_cancel (status ${info.status})`;
        return { ending: { status: stop.status, reason }, figures: partialFigures(lastWithFigures) };
      }

      const passBefore = lastPassEvent;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, POLL_INTERVAL_MS);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
        if ((hooks.signal.aborted && stop === null) || lastPassEvent !== passBefore) done();
      });
    }
  } finally {
    offEvents();
    hooks.signal.removeEventListener("abort", onAbort);
  }
}

/**
 * QEMU flips the status to "completed" a moment before its migration thread computes total-time (seen as 0
 * after a postcopy switch): re-read until two replies 50 ms apart agree, so the figures are QEMU's final ones.
 */
async function settledCompletion(src: QmpClient, first: QueryMigrateInfo): Promise<QueryMigrateInfo> {
  const key = (i: QueryMigrateInfo) => JSON.stringify([i["total-time"], i.downtime, i["setup-time"], i.ram?.transferred, i.ram?.["dirty-sync-count"]]);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let previous = first;
  while (Date.now() < deadline) {
    await sleep(50);
    const next = parseQueryMigrate(await src.execute("query-migrate"));
    if (key(next) === key(previous) && (next["total-time"] ?? 0) > 0) return next;
    previous = next;
  }
  return previous;
}

function completedFigures(info: QueryMigrateInfo): Partial<Figures> {
  return {
    totalTimeMs: info["total-time"],
    downtimeMs: info.downtime,
    setupTimeMs: info["setup-time"],
    transferredBytes: info.ram?.transferred,
    passes: info.ram?.["dirty-sync-count"],
  };
}

/** For a failed or cancelled migration QEMU drops the figures: keep the last ones it reported. */
function partialFigures(info: QueryMigrateInfo | null): Partial<Figures> {
  if (!info) return {};
  return { totalTimeMs: info["total-time"], setupTimeMs: info["setup-time"], transferredBytes: info.ram?.transferred, passes: info.ram?.["dirty-sync-count"] };
}

async function cancelMigration(client: QmpClient): Promise<void> {
  const info = parseQueryMigrate(await client.execute("query-migrate"));
  if (ACTIVE_MIGRATION_STATUSES.has(info.status)) await client.execute("migrate_cancel");
}

async function vmStatus(client: QmpClient): Promise<string | null> {
  try {
    return queryStatusSchema.parse(await client.execute("query-status")).status;
  } catch {
    return null;
  }
}

async function vmRunning(client: QmpClient): Promise<boolean | null> {
  try {
    return queryStatusSchema.parse(await client.execute("query-status")).running;
  } catch {
    return null;
  }
}

async function waitUntilRunning(client: QmpClient, resumed: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (resumed()) return true;
    const status = await vmStatus(client);
    if (status === "running") return true;
    await sleep(100);
  }
  return resumed();
}

function numberParam(raw: unknown, name: string): number | null {
  const value = migrateParametersSchema.parse(raw)[name];
  return typeof value === "number" ? value : null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      resolve();
    }
    signal?.addEventListener("abort", finish, { once: true });
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
