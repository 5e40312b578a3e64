/**
 * The VNF and placement API (tRPC vnfs.* and placement.*): inputs and outputs, declared once.
 * The allocator's own shapes (VNF shape, result, roles) are in ./placement.
 */
import { z } from "zod";
import { safeKey } from "./common";
import {
  assignmentRoleSchema,
  emulatorThreadPolicySchema,
  pageSizeSchema,
  placementResultSchema,
  placementWarningSchema,
  threadPolicySchema,
} from "./placement";

const uuid = z.string().uuid();

/** It becomes the libvirt domain name and the name the agent's vms section is matched by. */
export const vnfNameSchema = z
  .string()
  .trim()
  .min(1, "name: required")
  .max(63, "name: at most 63 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "name: letters, digits, '.', '_' and '-' only (it becomes the libvirt domain name)");

export const vnfLabelsSchema = z
  .record(safeKey, z.string().max(256))
  .refine((r) => Object.keys(r).length <= 64, { message: "labels: at most 64" });

const vnfFields = {
  name: vnfNameSchema,
  description: z.string().max(2000),
  vcpus: z.number().int().min(1, "vcpus: at least 1").max(512, "vcpus: at most 512"),
  // a domain with no memory is one libvirt refuses to define
  memoryMib: z.number().int().min(1, "memoryMib: at least 1 MiB").max(16 * 1024 * 1024),
  pageSize: pageSizeSchema,
  numaNode: z.number().int().min(0).max(1023).nullable(),
  threadPolicy: threadPolicySchema,
  emulatorThreads: emulatorThreadPolicySchema,
  cacheWays: z.number().int().min(1).max(64).nullable(),
  owner: z.string().trim().max(200),
  labels: vnfLabelsSchema,
};

export const createVnfInput = z
  .object({
    ...vnfFields,
    description: vnfFields.description.default(""),
    numaNode: vnfFields.numaNode.default(null),
    cacheWays: vnfFields.cacheWays.default(null),
    /** empty = the signed-in user */
    owner: vnfFields.owner.default(""),
    labels: vnfLabelsSchema.default({}),
  })
  .strict();
export type CreateVnfInput = z.infer<typeof createVnfInput>;

export const updateVnfInput = z
  .object({ id: uuid, ...Object.fromEntries(Object.entries(vnfFields).map(([k, v]) => [k, v.optional()])) } as {
    id: typeof uuid;
  } & { [K in keyof typeof vnfFields]: z.ZodOptional<(typeof vnfFields)[K]> })
  .strict();
export type UpdateVnfInput = z.infer<typeof updateVnfInput>;

export const vnfIdInput = z.object({ id: uuid }).strict();

export const vnfPlacementSummary = z.object({
  id: uuid,
  hostId: uuid,
  hostname: z.string(),
  numaNode: z.number().int(),
  pageSize: z.enum(["1G", "2M"]).nullable(),
  pages: z.number().int(),
  emulatorCpus: z.array(z.number().int()),
  warnings: z.array(placementWarningSchema),
  placedBy: z.string(),
  placedAt: z.date(),
  cpus: z.array(z.object({ cpu: z.number().int(), role: assignmentRoleSchema })),
});
export type VnfPlacementSummary = z.infer<typeof vnfPlacementSummary>;

export const vnfSchema = z.object({
  id: uuid,
  name: z.string(),
  description: z.string(),
  vcpus: z.number().int(),
  memoryMib: z.number().int(),
  pageSize: pageSizeSchema,
  numaNode: z.number().int().nullable(),
  threadPolicy: threadPolicySchema,
  emulatorThreads: emulatorThreadPolicySchema,
  cacheWays: z.number().int().nullable(),
  owner: z.string(),
  labels: z.record(z.string(), z.string()),
  createdAt: z.date(),
  updatedAt: z.date(),
  placement: vnfPlacementSummary.nullable(),
});
export type VnfJson = z.infer<typeof vnfSchema>;

export const listVnfsOutput = z.array(vnfSchema);

export const placementTargetInput = z.object({ vnfId: uuid, hostId: uuid }).strict();

/** The libvirt and Nova output for one fit. */
export const placementOutputs = z.object({
  libvirtXml: z.string(),
  cputuneXml: z.string(),
  numatuneXml: z.string(),
  novaExtraSpecs: z.record(z.string(), z.string()),
});
export type PlacementOutputs = z.infer<typeof placementOutputs>;

export const previewPlacementOutput = z.object({
  hostId: uuid,
  hostname: z.string(),
  /** when the host's sections the preview used were collected; null when it never reported */
  reportedAt: z.date().nullable(),
  result: placementResultSchema,
  outputs: placementOutputs.nullable(),
});
export type PreviewPlacementOutput = z.infer<typeof previewPlacementOutput>;

/** The choice the admin saw in the preview: placing refuses anything else (the host changed, someone else placed). */
export const expectedPlacement = z
  .object({
    numaNode: z.number().int().min(0),
    vcpuPins: z.array(z.object({ vcpu: z.number().int().min(0), cpu: z.number().int().min(0) })).max(512),
    emulatorCpus: z.array(z.number().int().min(0)).max(8192),
    reservedCpus: z.array(z.number().int().min(0)).max(8192),
  })
  .strict();
export type ExpectedPlacement = z.infer<typeof expectedPlacement>;

export const placeVnfInput = placementTargetInput.extend({ expected: expectedPlacement.optional() }).strict();
export type PlaceVnfInput = z.infer<typeof placeVnfInput>;

export const placeVnfOutput = z.object({ vnf: vnfSchema, outputs: placementOutputs });

export const unassignVnfInput = z.object({ vnfId: uuid }).strict();
export const unassignVnfOutput = z.object({ vnfId: uuid, hostId: uuid, freedCpus: z.array(z.number().int()) });

export const vnfOutputsInput = z.object({ vnfId: uuid }).strict();
export const vnfOutputsOutput = placementOutputs.nullable();

// --- the host CPUs tab -------------------------------------------------------------------------

export const cpuStateSchema = z.enum(["housekeeping", "isolated-free", "vcpu", "emulator", "reserved-sibling", "offline"]);
export type CpuState = z.infer<typeof cpuStateSchema>;

export const cpuMapCpu = z.object({
  cpu: z.number().int(),
  package: z.number().int(),
  node: z.number().int(),
  coreKey: z.string(),
  siblings: z.array(z.number().int()),
  online: z.boolean(),
  l3Id: z.string().nullable(),
  isolated: z.boolean(),
  nohzFull: z.boolean(),
  rcuNocbs: z.boolean(),
  state: cpuStateSchema,
  /** the VNF holding it (assignment), or whose shared emulator threads run here */
  vnf: z.object({ id: uuid, name: z.string(), vcpu: z.number().int().nullable() }).nullable(),
  /** VNFs whose emulator threads share this housekeeping CPU (policy share) */
  sharedEmulatorOf: z.array(z.string()),
  irqs: z.array(z.object({ irq: z.string(), managed: z.boolean() })),
  /** real pinning from the agent's vms section: which VM threads may run here */
  vmThreads: z.array(z.object({ vm: z.string(), pid: z.number().int(), thread: z.string() })),
});
export type CpuMapCpu = z.infer<typeof cpuMapCpu>;

export const pinningStatusSchema = z.enum(["matches", "differs", "not-running", "unknown"]);

export const cpuMapVnf = z.object({
  id: uuid,
  name: z.string(),
  numaNode: z.number().int(),
  cpus: z.array(z.number().int()),
  emulatorCpus: z.array(z.number().int()),
  /** matches: the running VM's threads are pinned as assigned; differs: see differences; unknown: the host reports no vms section */
  pinning: pinningStatusSchema,
  differences: z.array(z.string()),
});
export type CpuMapVnf = z.infer<typeof cpuMapVnf>;

export const hostCpuMapInput = z.object({ hostId: uuid }).strict();
export const hostCpuMapOutput = z.object({
  hostId: uuid,
  hostname: z.string(),
  reportedAt: z.date().nullable(),
  smt: z.boolean(),
  cpus: z.array(cpuMapCpu),
  vnfs: z.array(cpuMapVnf),
  /** QEMU processes the host runs that no placed VNF names */
  unknownVms: z.array(z.object({ pid: z.number().int(), name: z.string().nullable(), cpus: z.array(z.number().int()) })),
  /** vms section state: ok, or why pinning cannot be compared */
  vmsState: z.enum(["ok", "unavailable", "error", "missing", "invalid"]),
  // free: the kernel's count; placed: pages of VNFs placed here; left: what a new placement may still take
  hugepages: z.array(z.object({ node: z.number().int(), pageSize: z.enum(["1G", "2M"]), free: z.number().int(), placed: z.number().int(), left: z.number().int() })),
});
export type HostCpuMap = z.infer<typeof hostCpuMapOutput>;
