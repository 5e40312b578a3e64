/**
 * CPU placement of VNFs: the shapes shared by the pure allocator (server/domain/placement/), the CLI
 * (server/cli/place.ts) and the placement services/UI. Agreed in /work/coord/PLACEMENT-INTERFACE.md.
 */
import { z } from "zod";

export const pageSizeSchema = z.enum(["1G", "2M", "4K"]);
export type PageSize = z.infer<typeof pageSizeSchema>;

/** Nova's hw:cpu_thread_policy values. */
export const threadPolicySchema = z.enum(["prefer", "isolate", "require"]);
export type ThreadPolicy = z.infer<typeof threadPolicySchema>;

/** Nova's hw:emulator_threads_policy values. */
export const emulatorThreadPolicySchema = z.enum(["share", "isolate"]);
export type EmulatorThreadPolicy = z.infer<typeof emulatorThreadPolicySchema>;

export const vnfShapeSchema = z.object({
  name: z.string(),
  vcpus: z.number().int().min(1).max(512),
  memoryMib: z.number().int().min(0),
  pageSize: pageSizeSchema,
  numaNode: z.number().int().min(0).nullable(), // null = any
  threadPolicy: threadPolicySchema,
  emulatorThreads: emulatorThreadPolicySchema,
  cacheWays: z.number().int().min(1).nullable(),
});
export type VnfShape = z.infer<typeof vnfShapeSchema>;

/**
 * What the allocator needs of a host, built from a report's sections by hostPlacementSnapshot(sections)
 * in server/domain/placement/host-snapshot.ts.
 */
export type HostPlacementSnapshot = {
  hostname: string;
  cpus: { cpu: number; node: number; package: number; coreKey: string; siblings: number[]; online: boolean; l3Id: string | null }[];
  isolated: number[]; // effective isolated set (isolcpus ∪ sysfs isolated)
  nohzFull: number[];
  rcuNocbs: number[];
  smt: boolean;
  hugepagesFree: { node: number; pageSize: "1G" | "2M"; free: number }[];
  irqs: { irq: string; effective: number[]; managed: boolean }[];
  vmPins: { vm: string; pid: number; cpus: number[] }[]; // real pinning from the vms section (empty if none)
};

export const assignmentRoleSchema = z.union([
  z.object({ kind: z.literal("vcpu"), vcpu: z.number().int().min(0) }),
  z.object({ kind: z.literal("emulator") }),
  z.object({ kind: z.literal("reserved-sibling") }),
]);
export type AssignmentRole = z.infer<typeof assignmentRoleSchema>;

export type ExistingAssignment = { cpu: number; vnf: string; role: z.infer<typeof assignmentRoleSchema> };

export const placementWarningSchema = z.object({ code: z.string(), cpu: z.number().int().nullable(), message: z.string() });
export type PlacementWarning = z.infer<typeof placementWarningSchema>;

export const placementResultSchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    numaNode: z.number().int(),
    vcpuPins: z.array(z.object({ vcpu: z.number().int(), cpu: z.number().int() })),
    emulatorCpus: z.array(z.number().int()),
    reservedCpus: z.array(z.number().int()),
    warnings: z.array(placementWarningSchema),
    l3Domain: z.object({ id: z.string(), cpus: z.array(z.number().int()), sharedWith: z.array(z.string()) }).nullable(),
    hugepagesNeeded: z.object({ node: z.number().int(), pageSize: pageSizeSchema, pages: z.number().int() }).nullable(),
  }),
  z.object({ ok: z.literal(false), reason: z.string(), perNode: z.array(z.object({ node: z.number().int(), reason: z.string() })) }),
]);
export type PlacementResult = z.infer<typeof placementResultSchema>;
export type PlacementFit = Extract<PlacementResult, { ok: true }>;
export type PlacementMiss = Extract<PlacementResult, { ok: false }>;
