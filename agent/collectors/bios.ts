/**
 * BIOS: identity from DMI (/sys/class/dmi/id, and `dmidecode -t 0` as root on the real host) and the
 * settings from an optional Redfish BMC (…/Systems/{id}/Bios "Attributes" = current; its
 * "@Redfish.Settings".SettingsObject "Attributes" = pending) or an optional vendor export file, normalised to
 * one vocabulary (agent/bios/vendor-map.ts) with the raw names and values kept.
 *
 * Every source is optional: a VM has no DMI settings and no BMC → the section is "not available".
 */
import { execFile } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { z } from "zod";
import type { HostFs } from "@/agent/hostfs";
import { Warnings, parseWordValue } from "@/agent/collectors/values";
import { clipText } from "@/agent/report/clean-text";
import {
  detectBiosVendor,
  normaliseBiosAttributes,
  type RawAttributeValue,
} from "@/agent/bios/vendor-map";
import type { BiosSection } from "@/server/contract/sections/bios";

const DMI_DIR = "sys/class/dmi/id";
/** Where an operator may drop a vendor export (racadm / iLOrest / OneCLI) on the host. */
export const DEFAULT_EXPORT_FILE = "etc/nfvdeck/bios-export.json";
const MAX_ATTRIBUTES = 4096;

// ---------------------------------------------------------------------------------------------
// Options (env parsed with zod: the agent's main parses flags, this is the collector's own part)

export const redfishConfigSchema = z
  .object({
    baseUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), { message: "http(s) URL" }),
    systemId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/),
    username: z.string().min(1).max(256),
    password: z.string().max(1024),
    /** BMCs ship self-signed certificates */
    insecureTls: z.boolean().default(false),
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
  })
  .strict();
export type RedfishConfig = z.input<typeof redfishConfigSchema>;

export interface BiosOptions {
  redfish?: RedfishConfig | null;
  /** HostFs-relative path of a vendor export file (default etc/nfvdeck/bios-export.json) */
  exportFile?: string;
  /** run `dmidecode -t 0`; default: only as root on the real root "/" */
  runDmidecode?: boolean;
  /** reuse a successful Redfish answer this long (default REDFISH_CACHE_MS; 0 = always ask) */
  redfishCacheMs?: number;
}

const envSchema = z.object({
  NFVDECK_REDFISH_URL: z.string().optional(),
  NFVDECK_REDFISH_SYSTEM: z.string().optional(),
  NFVDECK_REDFISH_USER: z.string().optional(),
  NFVDECK_REDFISH_PASSWORD: z.string().optional(),
  NFVDECK_REDFISH_INSECURE: z.enum(["0", "1", "true", "false"]).optional(),
  NFVDECK_BIOS_EXPORT: z.string().optional(),
});

/** BIOS options from the environment (validated; a half-configured Redfish is an error, not silence). */
export function biosOptionsFromEnv(env: Record<string, string | undefined>): BiosOptions {
  const e = envSchema.parse(env);
  const opts: BiosOptions = {};
  if (e.NFVDECK_REDFISH_URL) {
    opts.redfish = redfishConfigSchema.parse({
      baseUrl: e.NFVDECK_REDFISH_URL,
      systemId: e.NFVDECK_REDFISH_SYSTEM ?? "1",
      username: e.NFVDECK_REDFISH_USER ?? "",
      password: e.NFVDECK_REDFISH_PASSWORD ?? "",
      insecureTls: e.NFVDECK_REDFISH_INSECURE === "1" || e.NFVDECK_REDFISH_INSECURE === "true",
    });
  }
  if (e.NFVDECK_BIOS_EXPORT) opts.exportFile = e.NFVDECK_BIOS_EXPORT.replace(/^\/+/, "");
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Pure parsers

export interface DmidecodeBios {
  vendor: string | null;
  version: string | null;
  releaseDate: string | null;
  romSize: string | null;
  biosRevision: string | null;
  firmwareRevision: string | null;
  characteristics: string[];
}

/** `dmidecode -t 0` text → the BIOS Information record (null when there is none). */
export function parseDmidecodeBios(text: string): DmidecodeBios | null {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === "BIOS Information");
  if (start < 0) return null;
  const fields: Record<string, string> = {};
  const characteristics: string[] = [];
  let inChars = false;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] ?? "";
    if (l.trim() === "" || /^Handle /.test(l)) break;
    if (/^\t\t/.test(l)) {
      if (inChars) characteristics.push(clipText(l.trim(), 256));
      continue;
    }
    const m = /^\t([^:]+):\s*(.*)$/.exec(l);
    if (!m) continue;
    const key = (m[1] ?? "").trim();
    inChars = key === "Characteristics";
    if (!inChars) fields[key] = clipText((m[2] ?? "").trim(), 256);
  }
  const f = (k: string) => fields[k] || null;
  return {
    vendor: f("Vendor"),
    version: f("Version"),
    releaseDate: f("Release Date"),
    romSize: f("ROM Size"),
    biosRevision: f("BIOS Revision"),
    firmwareRevision: f("Firmware Revision"),
    characteristics: characteristics.slice(0, 128),
  };
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Scalar attributes only (Redfish BIOS attributes are scalars); others are reported as warnings. */
function scalarAttributes(obj: Record<string, unknown>, warnings: Warnings, where: string): Record<string, RawAttributeValue> {
  const out: Record<string, RawAttributeValue> = Object.create(null) as Record<string, RawAttributeValue>;
  let n = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (FORBIDDEN.has(k) || k.length === 0 || k.length > 256) {
      warnings.add(`${where}: attribute name refused: ${JSON.stringify(k.slice(0, 40))}`);
      continue;
    }
    if (n >= MAX_ATTRIBUTES) {
      warnings.add(`${where}: more than ${MAX_ATTRIBUTES} attributes, rest dropped`);
      break;
    }
    if (v === null || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
    else if (typeof v === "string") out[k] = clipText(v, 1024);
    else {
      warnings.add(`${where}: attribute ${k} is not a scalar`);
      continue;
    }
    n++;
  }
  return { ...out };
}

export interface RedfishBiosDoc {
  id: string | null;
  attributes: Record<string, RawAttributeValue>;
  /** "@Redfish.Settings".SettingsObject["@odata.id"] — where the pending settings are */
  settingsObject: string | null;
}

/** A Redfish Bios resource (parsed JSON) → attributes + the pending settings link. */
export function parseRedfishBios(doc: unknown, warnings: Warnings = new Warnings()): RedfishBiosDoc {
  if (!isRecord(doc)) throw new Error("Redfish Bios: not a JSON object");
  const attrs = doc["Attributes"];
  if (!isRecord(attrs)) throw new Error("Redfish Bios: no \"Attributes\" object");
  const settings = doc["@Redfish.Settings"];
  let settingsObject: string | null = null;
  if (isRecord(settings) && isRecord(settings["SettingsObject"])) {
    const id = settings["SettingsObject"]["@odata.id"];
    if (typeof id === "string") settingsObject = id;
  }
  const odataId = doc["@odata.id"];
  return { id: typeof odataId === "string" ? odataId : null, attributes: scalarAttributes(attrs, warnings, "Attributes"), settingsObject };
}

/**
 * A vendor export file → attributes. Accepts:
 * - JSON with an "Attributes" object anywhere (Redfish Bios, HPE RESTful / iLOrest `save` output);
 * - Dell Server Configuration Profile JSON (racadm get -t JSON): Components[FQDD "BIOS.Setup.*"].Attributes [{Name, Value}];
 * - "Name=Value" lines (Lenovo OneCLI `show BIOS`: "Processors.HyperThreading=Enable"; dots become "_").
 */
export function parseBiosExport(text: string, warnings: Warnings = new Warnings()): Record<string, RawAttributeValue> {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch (e) {
      throw new Error(`BIOS export: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Dell SCP
    const scp = isRecord(doc) ? doc["SystemConfiguration"] : undefined;
    if (isRecord(scp) && Array.isArray(scp["Components"])) {
      for (const c of scp["Components"]) {
        if (!isRecord(c) || typeof c["FQDD"] !== "string" || !c["FQDD"].startsWith("BIOS.") || !Array.isArray(c["Attributes"])) continue;
        const flat: Record<string, unknown> = {};
        for (const a of c["Attributes"]) if (isRecord(a) && typeof a["Name"] === "string") flat[a["Name"]] = a["Value"] ?? null;
        return scalarAttributes(flat, warnings, "export");
      }
      throw new Error("BIOS export: Server Configuration Profile without a BIOS.Setup component");
    }
    // breadth-first search for an "Attributes" object (depth-limited)
    let level: unknown[] = [doc];
    for (let depth = 0; depth < 6 && level.length > 0; depth++) {
      const next: unknown[] = [];
      for (const node of level) {
        if (Array.isArray(node)) next.push(...node.slice(0, 64));
        else if (isRecord(node)) {
          if (isRecord(node["Attributes"])) return scalarAttributes(node["Attributes"], warnings, "export");
          next.push(...Object.values(node).slice(0, 256));
        }
      }
      level = next;
    }
    throw new Error("BIOS export: no \"Attributes\" object found");
  }
  const flat: Record<string, unknown> = {};
  text.split("\n").forEach((raw) => {
    const l = raw.trim();
    if (l === "" || l.startsWith("#")) return;
    const m = /^([A-Za-z0-9_.]+)\s*=\s*(.*)$/.exec(l);
    if (m) flat[(m[1] ?? "").replace(/\./g, "_")] = (m[2] ?? "").trim();
  });
  if (Object.keys(flat).length === 0) throw new Error("BIOS export: neither JSON nor Name=Value lines");
  return scalarAttributes(flat, warnings, "export");
}

export interface BiosRaw {
  dmi: BiosSection["dmi"];
  dmidecode: DmidecodeBios | null;
  source: { kind: "redfish" | "export-file"; origin: string; current: Record<string, RawAttributeValue>; pending: Record<string, RawAttributeValue> | null } | null;
  warnings: Warnings;
}

/** Only pending values that differ from current (a settings object usually repeats every attribute). */
export function pendingChanges(current: Record<string, RawAttributeValue>, pending: Record<string, RawAttributeValue> | null): Record<string, RawAttributeValue> {
  const out: Record<string, RawAttributeValue> = {};
  if (pending === null) return out;
  for (const [k, v] of Object.entries(pending)) if (!Object.hasOwn(current, k) || current[k] !== v) out[k] = v;
  return out;
}

/** Assemble the section (pure). */
export function buildBiosSection(raw: BiosRaw): BiosSection {
  const attrs = raw.source?.current ?? {};
  const pending = pendingChanges(attrs, raw.source?.pending ?? null);
  const anything = Object.values(raw.dmi).some((v) => v !== null) || raw.dmidecode !== null || raw.source !== null;
  const vendor = anything ? detectBiosVendor({ sysVendor: raw.dmi.sysVendor, biosVendor: raw.dmi.biosVendor ?? raw.dmidecode?.vendor ?? null }, Object.keys(attrs)) : null;
  const current = vendor === null ? [] : normaliseBiosAttributes(vendor, attrs);
  const next = vendor === null || Object.keys(pending).length === 0 ? [] : normaliseBiosAttributes(vendor, { ...attrs, ...pending });
  const settings = current.map((s) => {
    const p = next.find((n) => n.setting === s.setting);
    const changed = p !== undefined && Object.hasOwn(pending, p.rawName);
    return { ...s, pending: changed && p ? { value: p.value, rawValue: p.rawValue } : null };
  });
  return {
    dmi: raw.dmi,
    dmidecode: raw.dmidecode,
    settingsSource: raw.source?.kind ?? null,
    settingsOrigin: raw.source?.origin ?? null,
    vendor,
    settings,
    attributes: attrs,
    pendingAttributes: pending,
    warnings: raw.warnings.items,
  };
}

// ---------------------------------------------------------------------------------------------
// I/O

/** GET a Redfish resource as JSON with Basic auth (node:http/https so self-signed BMC certs can be allowed). */
export function redfishGet(cfg: z.output<typeof redfishConfigSchema>, pathOrUrl: string): Promise<unknown> {
  const url = new URL(pathOrUrl, cfg.baseUrl);
  const base = new URL(cfg.baseUrl);
  if (url.origin !== base.origin) return Promise.reject(new Error(`Redfish: refusing to follow ${url.origin} (not the BMC)`));
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: "GET",
        headers: {
          accept: "application/json",
          "odata-version": "4.0",
          authorization: `Basic ${Buffer.from(`${cfg.username}:${cfg.password}`).toString("base64")}`,
        },
        timeout: cfg.timeoutMs,
        // one connection per request: no pooled keep-alive socket to a BMC that may have gone away
        agent: false,
        ...(url.protocol === "https:" ? { rejectUnauthorized: !cfg.insecureTls } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > 8 * 1024 * 1024) req.destroy(new Error("Redfish: response larger than 8 MB"));
          else chunks.push(c);
        });
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          if ((res.statusCode ?? 0) >= 400) {
            let msg = "";
            try {
              const e = JSON.parse(body) as { error?: { message?: string } };
              msg = e.error?.message ?? "";
            } catch {
              msg = body.slice(0, 200);
            }
            reject(new Error(`Redfish GET ${url.pathname}: HTTP ${res.statusCode}${msg ? `: ${msg}` : ""}`));
            return;
          }
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error(`Redfish GET ${url.pathname}: response is not JSON`));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`Redfish GET ${url.pathname}: timed out after ${cfg.timeoutMs} ms`)));
    req.on("error", (e) => reject(new Error(`GET ${url.origin}${url.pathname}: ${e.message}`)));
    req.end();
  });
}

/** Current and pending BIOS attributes from a BMC. */
export async function fetchRedfishBios(input: RedfishConfig, warnings: Warnings = new Warnings()) {
  const cfg = redfishConfigSchema.parse(input);
  const biosPath = `/redfish/v1/Systems/${encodeURIComponent(cfg.systemId)}/Bios`;
  const current = parseRedfishBios(await redfishGet(cfg, biosPath), warnings);
  let pending: Record<string, RawAttributeValue> | null = null;
  if (current.settingsObject !== null) {
    try {
      pending = parseRedfishBios(await redfishGet(cfg, current.settingsObject), warnings).attributes;
    } catch (e) {
      warnings.add(`pending settings: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { origin: current.id ?? biosPath, current: current.attributes, pending };
}

/** SMBIOS tables do not change while the host runs: dmidecode is spawned once per process. */
let dmidecodeOnce: Promise<string | null> | null = null;
function runDmidecode(): Promise<string | null> {
  dmidecodeOnce ??= new Promise((resolve) => {
    execFile("dmidecode", ["-t", "0"], { timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout) => resolve(err ? null : String(stdout)));
  });
  return dmidecodeOnce;
}

/** BIOS settings change only across reboots: a successful BMC answer is reused for this long. */
export const REDFISH_CACHE_MS = 5 * 60_000;
const redfishCache = new Map<string, { at: number; value: Awaited<ReturnType<typeof fetchRedfishBios>> }>();
async function fetchRedfishBiosCached(cfg: RedfishConfig, warnings: Warnings, cacheMs: number) {
  const key = `${cfg.baseUrl}|${cfg.systemId}|${cfg.username}`;
  const hit = redfishCache.get(key);
  if (hit && Date.now() - hit.at < cacheMs) return hit.value;
  const value = await fetchRedfishBios(cfg, warnings);
  redfishCache.set(key, { at: Date.now(), value });
  return value;
}

export async function readBios(fs: HostFs, opts: BiosOptions = {}): Promise<BiosSection | null> {
  const warnings = new Warnings();
  const dmiFile = async (name: string) => parseWordValue(await fs.readTextOptional(`${DMI_DIR}/${name}`), 256);
  const dmi = {
    biosVendor: await dmiFile("bios_vendor"),
    biosVersion: await dmiFile("bios_version"),
    biosDate: await dmiFile("bios_date"),
    sysVendor: await dmiFile("sys_vendor"),
    productName: await dmiFile("product_name"),
  };
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const wantDmidecode = opts.runDmidecode ?? (isRoot && fs.root === "/");
  // dmidecode missing or without SMBIOS tables (a VM) → simply not available
  const dmidecodeText = wantDmidecode ? await runDmidecode() : null;
  const dmidecode = dmidecodeText === null ? null : parseDmidecodeBios(dmidecodeText);

  let source: BiosRaw["source"] = null;
  if (opts.redfish) {
    try {
      const r = await fetchRedfishBiosCached(opts.redfish, warnings, opts.redfishCacheMs ?? REDFISH_CACHE_MS);
      source = { kind: "redfish", origin: r.origin, current: r.current, pending: r.pending };
    } catch (e) {
      // the BMC being down must not hide the DMI part: reported as a warning
      warnings.add(`Redfish: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (source === null) {
    const file = opts.exportFile ?? DEFAULT_EXPORT_FILE;
    const text = await fs.readTextOptional(file);
    if (text !== null) {
      try {
        source = { kind: "export-file", origin: file, current: parseBiosExport(text, warnings), pending: null };
      } catch (e) {
        warnings.add(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const raw: BiosRaw = { dmi, dmidecode, source, warnings };
  const anything = Object.values(dmi).some((v) => v !== null) || dmidecode !== null || source !== null || warnings.items.length > 0;
  return anything ? buildBiosSection(raw) : null;
}

/** Collector entry point: options from the environment (Redfish BMC / export file), all optional. */
export async function read(fs: HostFs): Promise<BiosSection | null> {
  return readBios(fs, biosOptionsFromEnv(process.env));
}
