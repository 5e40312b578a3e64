/**
 * QEMU's migration replies (query-migrate, query-migrate-capabilities, query-migrate-parameters,
 * query-dirty-rate, query-status) validated at the edge, and turned into the contract's progress shape.
 * Pure: no I/O here.
 */
import { z } from "zod";
import type { MigrateProgress } from "@/server/contract/migration";
import { dirtyPagesRateToBytesPerS } from "@/server/domain/migration/units";

const ramSchema = z.object({
  transferred: z.number(),
  remaining: z.number(),
  total: z.number(),
  mbps: z.number().optional(),
  "dirty-pages-rate": z.number().optional(),
  "dirty-sync-count": z.number().optional(),
  "page-size": z.number().optional(),
});

export const queryMigrateSchema = z.object({
  status: z.string().default("none"),
  "total-time": z.number().optional(),
  "setup-time": z.number().optional(),
  "expected-downtime": z.number().optional(),
  downtime: z.number().optional(),
  ram: ramSchema.optional(),
  "error-desc": z.string().optional(),
});
export type QueryMigrateInfo = z.infer<typeof queryMigrateSchema>;

export const TERMINAL_MIGRATION_STATUSES = new Set(["completed", "failed", "cancelled"]);
/** States in which a migration is under way (QAPI MigrationStatus minus none/terminal). */
export const ACTIVE_MIGRATION_STATUSES = new Set([
  "setup",
  "cancelling",
  "active",
  "postcopy-active",
  "postcopy-paused",
  "postcopy-recover",
  "colo",
  "pre-switchover",
  "device",
  "wait-unplug",
]);

export const migrateCapabilitiesSchema = z.array(z.object({ capability: z.string(), state: z.boolean() }));
export const migrateParametersSchema = z.record(z.string(), z.unknown());
export const queryStatusSchema = z.object({ status: z.string(), running: z.boolean() });
export const queryDirtyRateSchema = z.object({ status: z.string(), "dirty-rate": z.number().optional(), "calc-time": z.number().optional() });
export const memorySizeSummarySchema = z.object({ "base-memory": z.number(), "plugged-memory": z.number().optional() });

export function parseQueryMigrate(raw: unknown): QueryMigrateInfo {
  return queryMigrateSchema.parse(raw ?? {});
}

/** The default page size of x86 guests: used only when an old QEMU leaves `page-size` out. */
const DEFAULT_PAGE_SIZE = 4096;

export function toProgress(info: QueryMigrateInfo, elapsedMs: number, pass: number | null): MigrateProgress {
  const ram = info.ram;
  const pagesRate = ram?.["dirty-pages-rate"] ?? null;
  return {
    type: "progress",
    status: info.status,
    elapsedMs,
    remainingBytes: ram?.remaining ?? null,
    transferredBytes: ram?.transferred ?? null,
    totalBytes: ram?.total ?? null,
    mbps: ram?.mbps ?? null,
    dirtyPagesRate: pagesRate,
    dirtyBytesPerS: pagesRate === null ? null : dirtyPagesRateToBytesPerS(pagesRate, ram?.["page-size"] ?? DEFAULT_PAGE_SIZE),
    expectedDowntimeMs: info["expected-downtime"] ?? null,
    pass: ram?.["dirty-sync-count"] ?? pass,
  };
}
