import { z } from "zod";
import { countValue, cpuListText, shortText, warningsList } from "../common";

const hexMask = z.string().regex(/^[0-9a-fA-F]{1,64}$/, { message: "not a hex mask" });
const count = countValue.nullable();
const resourceName = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, { message: "not a resctrl resource name" });
/** "", "grp", "grp/mon_groups/m1" style paths under the resctrl mount ("/" is the root group) */
const groupPath = z.string().min(1).max(512).regex(/^(\/|[^/\0]+(\/mon_groups\/[^/\0]+)?|mon_groups\/[^/\0]+)$/, { message: "not a resctrl group path" });

/** info/L3, info/L3CODE, info/L3DATA (also L2*): cache allocation (CAT/CDP) */
export const resctrlCacheInfo = z
  .object({
    numClosids: count,
    cbmMask: hexMask.nullable(),
    minCbmBits: count,
    shareableBits: hexMask.nullable(),
    /** "0=SSSSSSSSSSSSSSSSSSSS;1=…" per-bit usage legend, kept raw */
    bitUsage: shortText.nullable(),
  })
  .strict();

/** info/MB: memory bandwidth allocation */
export const resctrlMbInfo = z
  .object({
    numClosids: count,
    bandwidthGran: count,
    minBandwidth: count,
    delayLinear: z.boolean().nullable(),
    threadThrottleMode: shortText.nullable(),
  })
  .strict();

/** info/L3_MON: monitoring (CMT/MBM) */
export const resctrlMonInfo = z
  .object({
    numRmids: count,
    monFeatures: z.array(z.string().max(64)).max(64),
    maxThresholdOccupancy: count,
  })
  .strict();

export const resctrlSchemataLine = z
  .object({
    /** L3, L3CODE, L3DATA, MB, L2, SMBA … */
    resource: resourceName,
    /** cache id / domain id → value (hex CBM for caches, % or MBps for MB), spaces removed */
    domains: z.array(z.object({ id: z.number().int().nonnegative().max(65535), value: z.string().min(1).max(64) }).strict()).max(1024),
  })
  .strict();

export const MON_VALUE_STATUSES = ["ok", "Error", "Unavailable", "Unassigned", "missing", "invalid"] as const;
export const resctrlMonStatus = z.enum(MON_VALUE_STATUSES);

/** One monitoring domain (mon_data/mon_L3_XX): which counters read and how (the values go out as QoS samples). */
export const resctrlMonDomain = z
  .object({
    /** directory name, e.g. "mon_L3_00" */
    domain: z.string().regex(/^mon_[A-Za-z0-9]+_\d+$/),
    id: z.number().int().nonnegative().max(65535),
    llcOccupancy: resctrlMonStatus,
    mbmTotalBytes: resctrlMonStatus,
    mbmLocalBytes: resctrlMonStatus,
  })
  .strict();

export const resctrlMonGroup = z
  .object({
    /** "/" for the root group's own monitoring, else "<ctrl>" or "<ctrl>/mon_groups/<name>" or "mon_groups/<name>" */
    path: groupPath,
    /** the control group it belongs to ("/" = root) */
    controlGroup: groupPath,
    cpusList: cpuListText.nullable(),
    taskCount: count,
    domains: z.array(resctrlMonDomain).max(1024),
  })
  .strict();

export const resctrlControlGroup = z
  .object({
    /** "/" for the root (default) group */
    path: groupPath,
    schemata: z.array(resctrlSchemataLine).max(32),
    cpusList: cpuListText.nullable(),
    taskCount: count,
    /** shareable | exclusive | pseudo-locksetup | pseudo-locked */
    mode: z.string().max(64).nullable(),
  })
  .strict();

/**
 * A monitoring group the agent owns for one VNF (agent/resctrl-groups). The counter values travel as QoS
 * samples under `path` (so this static section's hash only changes when a group appears, goes or fails).
 */
export const resctrlVnfGroup = z
  .object({
    /** the VNF's name = its QEMU process's -name guest= */
    vnf: z.string().min(1).max(120),
    /** group path ("mon_groups/nfvdeck-x" or "nfvdeck-x/mon_groups/nfvdeck-x"); null when none could be made */
    path: groupPath.nullable(),
    /** no-rmid: mkdir failed with ENOSPC (every RMID in use) */
    status: z.enum(["monitored", "no-rmid", "bad-name", "error"]),
    message: shortText.nullable(),
    taskCount: count,
  })
  .strict();
export type ResctrlVnfGroup = z.infer<typeof resctrlVnfGroup>;

export const resctrlSection = z
  .object({
    /** sys/fs/resctrl is mounted (has info/) */
    mounted: z.boolean(),
    /** a resctrl line in /proc/mounts (null when /proc/mounts could not be read) */
    inProcMounts: z.boolean().nullable(),
    /** mount options from /proc/mounts, e.g. ["rw","cdp","mba_MBps"] */
    mountOptions: z.array(z.string().max(64)).max(32),
    info: z
      .object({
        l3: resctrlCacheInfo.nullable(),
        l3Code: resctrlCacheInfo.nullable(),
        l3Data: resctrlCacheInfo.nullable(),
        l2: resctrlCacheInfo.nullable(),
        /** CDP on: info/L3CODE and info/L3DATA exist */
        cdp: z.boolean(),
        mb: resctrlMbInfo.nullable(),
        l3Mon: resctrlMonInfo.nullable(),
        lastCmdStatus: shortText.nullable(),
      })
      .strict()
      .nullable(),
    controlGroups: z.array(resctrlControlGroup).max(1024),
    monGroups: z.array(resctrlMonGroup).max(4096),
    /** agent-owned per-VNF monitoring groups; absent from agents before issue 13 */
    vnfGroups: z.array(resctrlVnfGroup).max(1024).optional(),
    warnings: warningsList,
  })
  .strict();
export type ResctrlSection = z.infer<typeof resctrlSection>;
