import type { HostSnapshot } from "@/server/domain/compliance/snapshot";
import type { BiosSection, BiosSetting as BiosSettingName } from "@/server/contract/sections/bios";

/** A key of the normalised BIOS vocabulary (server/contract/sections/bios.ts). */
export type BiosKey = BiosSettingName;

/** One reported BIOS setting: normalised value plus the vendor's raw name/value and where it was read. */
export type BiosSetting = { value: string | boolean | number; raw: string | null; source: string | null };

function sourceText(bios: BiosSection): string {
  const origin = bios.settingsOrigin ? ` ${bios.settingsOrigin}` : "";
  if (bios.settingsSource === "redfish") return `Redfish Bios attributes${origin}`;
  if (bios.settingsSource === "export-file") return `BIOS export file${origin}`;
  return "BIOS settings";
}

/**
 * The reported setting for `key`, or null when the host reported no such setting (or reported it with a
 * value the collector could not understand: judged as not reported, never as a failure).
 */
export function biosSetting(s: HostSnapshot, key: BiosKey): BiosSetting | null {
  const bios = s.bios;
  if (!bios) return null;
  const entry = bios.settings.find((e) => e.setting === key);
  if (!entry || entry.value === null) return null;
  const pending = entry.pending ? ` (pending next boot: ${String(entry.pending.rawValue)})` : "";
  return { value: entry.value, raw: `${entry.rawName}=${String(entry.rawValue)}${pending}`, source: sourceText(bios) };
}

/** Normalised on/off reading of a setting value: true = enabled, false = disabled, null = something else. */
export function biosEnabled(v: BiosSetting["value"]): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  const t = v.trim().toLowerCase().replace(/[\s_-]/g, "");
  if (["enabled", "enable", "on", "true", "yes", "1"].includes(t)) return true;
  if (["disabled", "disable", "off", "false", "no", "0"].includes(t)) return false;
  return null;
}

/** Compare a setting to an expected word ("Performance", "MaximumPerformance", "All") ignoring case and spacing. */
export function biosEquals(v: BiosSetting["value"], expected: readonly string[]): boolean {
  const norm = (x: string) => x.trim().toLowerCase().replace(/[\s_()-]/g, "");
  const t = norm(String(v));
  return expected.some((e) => norm(e) === t);
}
