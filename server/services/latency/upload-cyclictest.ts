import { createHash } from "node:crypto";
import type { LatencyUnit } from "@/server/domain/latency/histogram";
import { parseUploadedCyclictest, runFromCyclictest } from "@/server/domain/latency/upload";
import { DomainError } from "@/server/errors";
import { recordAudit, type AuditActor } from "@/server/repo/audit";
import { requireHost } from "@/server/repo/hosts";
import { storeRunsTx } from "@/server/repo/latency-ingest";
import { findRunIdByIdempotencyKey, lockRunKeyTx } from "@/server/repo/latency-runs";
import { inTransaction } from "@/server/repo/transaction";

export interface UploadInput {
  hostId: string;
  content: string;
  load: string;
  startedAt?: Date;
  cmdline?: string;
  unit?: LatencyUnit;
}

/** Parses and stores one uploaded cyclictest file. A rejected file stores nothing; the same file twice is stored once. */
export async function uploadCyclictest(opts: { input: UploadInput; actor: AuditActor; now?: Date }): Promise<{ runId: string; duplicate: boolean }> {
  const { input, actor } = opts;
  await requireHost(input.hostId);
  const meta = {
    load: input.load,
    now: opts.now ?? new Date(),
    ...(input.startedAt ? { startedAt: input.startedAt } : {}),
    ...(input.cmdline ? { cmdline: input.cmdline } : {}),
    ...(input.unit ? { unit: input.unit } : {}),
  };
  const run = runFromCyclictest(parseUploadedCyclictest(input.content, meta), meta);
  const idempotencyKey = `upload:${createHash("sha256").update(input.content).digest("hex")}`;
  return inTransaction(async (tx) => {
    // the unique key includes startedAt (partitioning): the same file with another start time is found by key
    await lockRunKeyTx(tx, input.hostId, idempotencyKey);
    const earlier = await findRunIdByIdempotencyKey(input.hostId, idempotencyKey, tx);
    if (earlier) return { runId: earlier, duplicate: true };
    const [stored] = await storeRunsTx(tx, input.hostId, [{ run, source: "upload", idempotencyKey }]);
    if (stored?.id) {
      await recordAudit(actor, "latency.upload", "host", input.hostId, { runId: stored.id, load: input.load }, tx);
      return { runId: stored.id, duplicate: false };
    }
    const existing = await findRunIdByIdempotencyKey(input.hostId, idempotencyKey, tx);
    if (!existing) throw new DomainError("CONFLICT", "run was not stored, try again");
    return { runId: existing, duplicate: true };
  });
}
