import { z } from "zod";
import { boundedRecord, shortText, warningsList } from "../common";

/**
 * The normalised BIOS vocabulary (the KVM4NFV guide's baseline list). Vendor names (HPE ProcHyperthreading,
 * Dell LogicalProc, Lenovo Processors_HyperThreading …) map onto these in agent/bios/vendor-map.ts.
 */
export const BIOS_SETTINGS = [
  "cStates",
  "c1e",
  "c3",
  "c6",
  "turbo",
  "eist",
  "hyperThreading",
  "activeCores",
  "xdBit",
  "vtx",
  "vtd",
  "txt",
  "numa",
  "clusterOnDie",
  "memoryRas",
  "patrolScrub",
  "demandScrub",
  "errorContainment",
  "powerProfile",
  "legacyUsb",
  "port6064",
] as const;
export type BiosSetting = (typeof BIOS_SETTINGS)[number];

export const BIOS_VENDORS = ["hpe", "dell", "lenovo", "generic"] as const;
export type BiosVendor = (typeof BIOS_VENDORS)[number];

const dmiText = z.string().max(256).nullable();

export const biosRawValue = z.union([z.string().max(1024), z.number().finite(), z.boolean(), z.null()]);
export const biosNormalisedValue = z.union([z.boolean(), z.string().max(256), z.null()]);

export const biosSettingSchema = z
  .object({
    setting: z.enum(BIOS_SETTINGS),
    /** true = enabled, false = disabled; a string for profiles/modes; null = present but not understood */
    value: biosNormalisedValue,
    rawName: z.string().min(1).max(256),
    rawValue: biosRawValue,
    /** a pending (next-boot) change of this attribute, when the BMC has one */
    pending: z.object({ value: biosNormalisedValue, rawValue: biosRawValue }).strict().nullable(),
  })
  .strict();
export type BiosSettingReport = z.infer<typeof biosSettingSchema>;

export const biosSection = z
  .object({
    /** /sys/class/dmi/id/* (null when absent, e.g. a VM without SMBIOS) */
    dmi: z
      .object({
        biosVendor: dmiText,
        biosVersion: dmiText,
        biosDate: dmiText,
        sysVendor: dmiText,
        productName: dmiText,
      })
      .strict(),
    /** `dmidecode -t 0` (BIOS Information), only as root on the real host */
    dmidecode: z
      .object({
        vendor: dmiText,
        version: dmiText,
        releaseDate: dmiText,
        romSize: dmiText,
        biosRevision: dmiText,
        firmwareRevision: dmiText,
        characteristics: z.array(z.string().max(256)).max(128),
      })
      .strict()
      .nullable(),
    /** where the settings came from; null when no source was configured/available */
    settingsSource: z.enum(["redfish", "export-file"]).nullable(),
    /** Redfish Bios resource id / export file name, for evidence */
    settingsOrigin: shortText.nullable(),
    vendor: z.enum(BIOS_VENDORS).nullable(),
    /** normalised settings, vocabulary order; only those the source reports */
    settings: z.array(biosSettingSchema).max(BIOS_SETTINGS.length),
    /** every raw current attribute (vendor names), bounded */
    attributes: boundedRecord(biosRawValue, 4096),
    /** raw pending attributes (Bios/Settings), only those that differ from current */
    pendingAttributes: boundedRecord(biosRawValue, 4096),
    warnings: warningsList,
  })
  .strict();
export type BiosSection = z.infer<typeof biosSection>;
