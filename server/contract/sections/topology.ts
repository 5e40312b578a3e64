import { z } from "zod";
import { cpuArray, cpuIndex, shortText, warningsList } from "../common";

const id = z.number().int().min(0).max(1_000_000);

/** One logical CPU. siblings = the SMT threads of its core, itself included (kernel core_cpus_list). */
export const topologyCpu = z
  .object({
    cpu: cpuIndex,
    package: id.nullable(),
    die: id.nullable(),
    core: id.nullable(),
    node: id.nullable(),
    siblings: cpuArray,
    online: z.boolean(),
  })
  .strict();

/** A physical core, keyed by (package, die, core): core ids repeat across packages. A kernel without die_id gives die 0 here. */
export const topologyCore = z
  .object({ package: id, die: id, core: id, node: id.nullable(), cpus: cpuArray })
  .strict();

export const topologyNode = z.object({ node: id, cpus: cpuArray }).strict();

/** One distinct cache instance (deduplicated over the CPUs sharing it). */
export const topologyCache = z
  .object({
    level: z.number().int().min(0).max(8),
    type: z.enum(["Data", "Instruction", "Unified", "Unknown"]),
    id: id.nullable(),
    sizeKb: z.number().int().nonnegative().max(1e9).nullable(),
    ways: z.number().int().nonnegative().max(1e6).nullable(),
    lineSize: z.number().int().nonnegative().max(1e6).nullable(),
    sharedCpus: cpuArray,
  })
  .strict();

/** CPU flags of interest (from /proc/cpuinfo "flags"), as booleans. */
export const topologyFlags = z
  .object({
    constantTsc: z.boolean(),
    nonstopTsc: z.boolean(),
    tscDeadlineTimer: z.boolean(),
    tscKnownFreq: z.boolean(),
    vmx: z.boolean(),
    svm: z.boolean(),
    hypervisor: z.boolean(),
    ht: z.boolean(),
    cqm: z.boolean(),
    cqmLlc: z.boolean(),
    cqmOccupLlc: z.boolean(),
    cqmMbmTotal: z.boolean(),
    cqmMbmLocal: z.boolean(),
    rdtA: z.boolean(),
    catL3: z.boolean(),
    cdpL3: z.boolean(),
    mba: z.boolean(),
  })
  .strict();

export const topologySection = z
  .object({
    vendor: shortText.nullable(),
    cpuModel: shortText.nullable(),
    cpuFamily: z.number().int().nonnegative().max(1e6).nullable(),
    cpuModelNumber: z.number().int().nonnegative().max(1e6).nullable(),
    stepping: z.number().int().nonnegative().max(1e6).nullable(),
    microcode: shortText.nullable(),
    /** CPUs known to the tree (possible, else present, else listed cpuN dirs) */
    cpuCount: z.number().int().nonnegative().max(65536),
    onlineCpus: cpuArray,
    offlineCpus: cpuArray,
    sockets: z.number().int().nonnegative().max(65536),
    coreCount: z.number().int().nonnegative().max(65536),
    threadsPerCore: z.number().int().nonnegative().max(64),
    numaNodes: z.number().int().nonnegative().max(65536),
    /** the `hypervisor` cpu flag: this is a virtual machine */
    isVirtual: z.boolean(),
    flags: topologyFlags,
    cpus: z.array(topologyCpu).max(8192),
    cores: z.array(topologyCore).max(8192),
    nodes: z.array(topologyNode).max(1024),
    caches: z.array(topologyCache).max(16384),
    warnings: warningsList,
  })
  .strict();
export type TopologySection = z.infer<typeof topologySection>;
export type TopologyCpu = z.infer<typeof topologyCpu>;
