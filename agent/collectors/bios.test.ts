import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostFs } from "@/agent/hostfs";
import { biosSection, BIOS_SETTINGS } from "@/server/contract/sections/bios";
import { detectBiosVendor, normaliseBiosAttributes, onOff } from "@/agent/bios/vendor-map";
import { startRedfishTestServer, TEST_BMC_PROFILES, type TestBmcVendor } from "@/agent/bios/redfish-test-server";
import {
  biosOptionsFromEnv,
  fetchRedfishBios,
  parseBiosExport,
  parseDmidecodeBios,
  parseRedfishBios,
  readBios,
} from "./bios";

const dirs: string[] = [];
function tree(files: Record<string, string>): HostFs {
  const root = mkdtempSync(path.join(os.tmpdir(), "bios-"));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return new HostFs(root);
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const settingMap = (s: Array<{ setting: string; value: unknown }>) => Object.fromEntries(s.map((x) => [x.setting, x.value]));

describe("vendor map", () => {
  it("vocabulary is the guide's list", () => {
    expect(BIOS_SETTINGS).toContain("hyperThreading");
    expect(BIOS_SETTINGS).toContain("port6064");
    expect(new Set(BIOS_SETTINGS).size).toBe(BIOS_SETTINGS.length);
  });

  it.each([
    ["Enabled", true], ["Disabled", false], ["Enable", true], ["Disable", false], ["On", true], ["Off", false], [true, true], [false, false], ["Foo", null], [null, null],
  ] as const)("onOff(%j) = %j", (raw, want) => {
    expect(onOff(raw)).toBe(want);
  });

  it.each([
    ["hpe", { ProcHyperthreading: "Disabled", MinProcIdlePower: "NoCStates", ProcTurbo: "Disabled", IntelProcVtd: "Enabled", ProcVirtualization: "Enabled", NodeInterleaving: "Disabled", PowerRegulator: "StaticHighPerf", ProcCoreDisable: 0 },
      { hyperThreading: false, cStates: false, c6: false, c1e: false, turbo: false, vtd: true, vtx: true, numa: true, powerProfile: "StaticHighPerf", activeCores: "all" }],
    ["hpe", { MinProcIdlePower: "C6", ProcCoreDisable: 2 }, { cStates: true, c6: true, c1e: true, activeCores: "all-but-2" }],
    ["dell", { LogicalProc: "Enabled", ProcCStates: "Disabled", ProcC1E: "Disabled", ProcTurboMode: "Disabled", NodeInterleave: "Enabled", SysProfile: "PerfOptimized", MemPatrolScrub: "Disabled", SnoopMode: "ClusterOnDie", ProcCores: "All" },
      { hyperThreading: true, cStates: false, c1e: false, turbo: false, numa: false, powerProfile: "PerfOptimized", patrolScrub: false, clusterOnDie: true, activeCores: "all" }],
    ["lenovo", { Processors_HyperThreading: "Disable", Processors_CStates: "Disable", Processors_C1EnhancedMode: "Disable", Processors_TurboMode: "Enable", Processors_IntelVirtualizationTechnology: "Enable", OperatingModes_ChooseOperatingMode: "MaximumPerformance", Processors_CPUPstateControl: "None", Memory_SocketInterleave: "NUMA" },
      { hyperThreading: false, cStates: false, c1e: false, turbo: true, vtx: true, powerProfile: "MaximumPerformance", eist: false, numa: true }],
    // the guide's own (Intel reference BIOS) names
    ["generic", { C3: "Disabled", C6: "Disabled", EIST: "Disabled", Port6064Emulation: "Disabled", LegacyUsbSupport: "Disabled", DemandScrub: "Disabled", EnhancedErrorContainmentMode: "Disabled", IntelTxt: "Disabled", ExecuteDisableBit: "Enabled" },
      { c3: false, c6: false, eist: false, port6064: false, legacyUsb: false, demandScrub: false, errorContainment: false, txt: false, xdBit: true }],
  ] as const)("%s normalises", (vendor, attrs, want) => {
    const out = normaliseBiosAttributes(vendor, attrs);
    expect(settingMap(out)).toEqual(want);
    for (const s of out) expect(Object.hasOwn(attrs, s.rawName)).toBe(true);
  });

  it("keeps raw name and value, unknown values become null", () => {
    expect(normaliseBiosAttributes("dell", { LogicalProc: "Maybe" })).toEqual([{ setting: "hyperThreading", value: null, rawName: "LogicalProc", rawValue: "Maybe" }]);
  });

  it("vendor detection from DMI or attribute names", () => {
    expect(detectBiosVendor({ sysVendor: "HPE" })).toBe("hpe");
    expect(detectBiosVendor({ sysVendor: "Dell Inc." })).toBe("dell");
    expect(detectBiosVendor({ sysVendor: "LENOVO" })).toBe("lenovo");
    expect(detectBiosVendor({ sysVendor: "QEMU" }, ["Processors_HyperThreading", "Processors_TurboMode"])).toBe("lenovo");
    expect(detectBiosVendor({}, ["C3"])).toBe("generic");
  });
});

describe("dmidecode -t 0", () => {
  // shape of dmidecode 3.x output (tab-indented fields, doubly indented characteristics); values hand-written
  const text = [
    "# dmidecode 3.4",
    "Getting SMBIOS data from sysfs.",
    "SMBIOS 3.2.0 present.",
    "",
    "Handle 0x0000, DMI type 0, 26 bytes",
    "BIOS Information",
    "\tVendor: HPE",
    "\tVersion: U30",
    "\tRelease Date: 04/04/2024",
    "\tAddress: 0xF0000",
    "\tRuntime Size: 64 kB",
    "\tROM Size: 64 MB",
    "\tCharacteristics:",
    "\t\tPCI is supported",
    "\t\tPNP is supported",
    "\t\tUEFI is supported",
    "\tBIOS Revision: 2.90",
    "\tFirmware Revision: 2.90",
    "",
  ].join("\n");
  it("parses the BIOS Information record", () => {
    expect(parseDmidecodeBios(text)).toEqual({
      vendor: "HPE",
      version: "U30",
      releaseDate: "04/04/2024",
      romSize: "64 MB",
      biosRevision: "2.90",
      firmwareRevision: "2.90",
      characteristics: ["PCI is supported", "PNP is supported", "UEFI is supported"],
    });
  });
  it("no SMBIOS → null", () => {
    expect(parseDmidecodeBios("# dmidecode 3.4\n# No SMBIOS nor DMI entry point found, sorry.\n")).toBeNull();
  });
});

describe("export files", () => {
  it("Redfish-shaped JSON, iLOrest save list, Dell SCP, OneCLI lines", () => {
    expect(parseBiosExport(JSON.stringify({ "@odata.type": "#Bios.v1_1_0.Bios", Attributes: { ProcTurbo: "Disabled" } }))).toEqual({ ProcTurbo: "Disabled" });
    expect(parseBiosExport(JSON.stringify([{ Comments: { Model: "ProLiant" } }, { "#Bios.v1_0_0.Bios": { "/redfish/v1/systems/1/bios/settings/": { Attributes: { ProcHyperthreading: "Enabled" } } } }]))).toEqual({ ProcHyperthreading: "Enabled" });
    const scp = { SystemConfiguration: { Model: "PowerEdge R740", Components: [{ FQDD: "iDRAC.Embedded.1", Attributes: [] }, { FQDD: "BIOS.Setup.1-1", Attributes: [{ Name: "LogicalProc", Value: "Disabled", "Set On Import": "True" }, { Name: "SysProfile", Value: "PerfOptimized" }] }] } };
    expect(parseBiosExport(JSON.stringify(scp))).toEqual({ LogicalProc: "Disabled", SysProfile: "PerfOptimized" });
    expect(parseBiosExport("Processors.HyperThreading=Disable\nProcessors.TurboMode=Enable\n")).toEqual({ Processors_HyperThreading: "Disable", Processors_TurboMode: "Enable" });
  });
  it.each([["{not json"], ["{}"], ["just words"], [JSON.stringify({ SystemConfiguration: { Components: [] } })]])("malformed %j → clear error", (t) => {
    expect(() => parseBiosExport(t)).toThrow(/BIOS export/);
  });
  it("refuses prototype keys and non-scalars", () => {
    const r = parseRedfishBios(JSON.parse('{"Attributes":{"__proto__":"x","A":{"b":1},"B":"Enabled"}}'));
    expect(Object.keys(r.attributes)).toEqual(["B"]);
  });
});

describe("Redfish (test BMC speaking real Redfish JSON)", () => {
  for (const vendor of ["hpe", "dell", "lenovo"] as TestBmcVendor[]) {
    it(`${vendor}: current + pending via @Redfish.Settings, normalised, schema-valid`, async () => {
      const bmc = await startRedfishTestServer({ vendor });
      try {
        const fs = tree({
          "sys/class/dmi/id/sys_vendor": `${TEST_BMC_PROFILES[vendor].manufacturer}\n`,
          "sys/class/dmi/id/product_name": `${TEST_BMC_PROFILES[vendor].model}\n`,
          "sys/class/dmi/id/bios_vendor": `${TEST_BMC_PROFILES[vendor].manufacturer}\n`,
          "sys/class/dmi/id/bios_version": "1.0\n",
          "sys/class/dmi/id/bios_date": "04/04/2024\n",
        });
        const s = await readBios(fs, { redfish: { baseUrl: bmc.url, systemId: bmc.systemId, username: bmc.username, password: bmc.password }, runDmidecode: false, redfishCacheMs: 0 });
        if (s === null) throw new Error("expected a section");
        expect(biosSection.parse(s)).toEqual(s);
        expect(s.vendor).toBe(vendor);
        expect(s.settingsSource).toBe("redfish");
        expect(s.warnings).toEqual([]);
        expect(s.attributes).toEqual(TEST_BMC_PROFILES[vendor].current);
        expect(s.pendingAttributes).toEqual(TEST_BMC_PROFILES[vendor].pending);
        const hts = s.settings.find((x) => x.setting === "hyperThreading");
        expect(hts?.value).toBe(true);
        const settingsObject = bmc.requests.find((r) => /settings|pending/i.test(r));
        if (Object.keys(TEST_BMC_PROFILES[vendor].pending).length > 0) {
          expect(settingsObject).toBeDefined();
          expect(hts?.pending).toEqual({ value: false, rawValue: TEST_BMC_PROFILES[vendor].pending[hts?.rawName ?? ""] });
        } else {
          expect(s.settings.every((x) => x.pending === null)).toBe(true);
        }
      } finally {
        await bmc.close();
      }
    });
  }

  it("HPE values in detail", async () => {
    const bmc = await startRedfishTestServer({ vendor: "hpe" });
    try {
      const r = await fetchRedfishBios({ baseUrl: bmc.url, systemId: "1", username: "admin", password: "test-password" });
      const s = normaliseBiosAttributes("hpe", r.current);
      expect(settingMap(s)).toMatchObject({ cStates: true, c6: true, turbo: true, vtd: true, vtx: true, txt: false, numa: true, clusterOnDie: false, powerProfile: "DynamicPowerSavings", legacyUsb: true, activeCores: "all" });
      // followed the lower-case, trailing-slash SettingsObject like a real iLO
      expect(bmc.requests).toContain("/redfish/v1/systems/1/bios/settings/");
    } finally {
      await bmc.close();
    }
  });

  it("wrong password: a clear warning, DMI still reported", async () => {
    const bmc = await startRedfishTestServer({ vendor: "dell" });
    try {
      const fs = tree({ "sys/class/dmi/id/sys_vendor": "Dell Inc.\n" });
      const s = await readBios(fs, { redfish: { baseUrl: bmc.url, systemId: bmc.systemId, username: "root", password: "wrong" }, runDmidecode: false, redfishCacheMs: 0 });
      expect(s?.settingsSource).toBeNull();
      expect(s?.dmi.sysVendor).toBe("Dell Inc.");
      expect(s?.vendor).toBe("dell");
      expect(s?.warnings.join()).toMatch(/HTTP 401: authentication required/);
    } finally {
      await bmc.close();
    }
  });

  it("a successful BMC answer is reused (settings change only across reboots); cache 0 asks again", async () => {
    const bmc = await startRedfishTestServer({ vendor: "dell", username: "cache-test" });
    const cfg = { baseUrl: bmc.url, systemId: bmc.systemId, username: bmc.username, password: bmc.password };
    const first = await readBios(tree({}), { redfish: cfg, runDmidecode: false });
    const asked = bmc.requests.length;
    await bmc.close();
    const cached = await readBios(tree({}), { redfish: cfg, runDmidecode: false });
    expect(asked).toBeGreaterThan(0);
    expect(cached?.settings).toEqual(first?.settings);
    expect(cached?.warnings).toEqual([]);
    const fresh = await readBios(tree({}), { redfish: cfg, runDmidecode: false, redfishCacheMs: 0 });
    expect(fresh?.settingsSource).toBeNull();
    expect(fresh?.warnings.join()).toMatch(/ECONNREFUSED/);
  });

  it("unknown system id → 404 warning; BMC down → warning", async () => {
    const bmc = await startRedfishTestServer({ vendor: "lenovo" });
    const url = bmc.url;
    try {
      const s = await readBios(tree({}), { redfish: { baseUrl: url, systemId: "9", username: bmc.username, password: bmc.password }, runDmidecode: false, redfishCacheMs: 0 });
      expect(s?.warnings.join()).toMatch(/HTTP 404/);
    } finally {
      await bmc.close();
    }
    const down = await readBios(tree({}), { redfish: { baseUrl: url, systemId: "1", username: "a", password: "b", timeoutMs: 2000 }, runDmidecode: false, redfishCacheMs: 0 });
    expect(down?.warnings.join()).toMatch(/Redfish: .*ECONNREFUSED/);
  });
});

describe("readBios on trees", () => {
  it("nothing (a VM without DMI) → null: not available", async () => {
    expect(await readBios(tree({ "proc/cmdline": "x\n" }), { runDmidecode: false })).toBeNull();
  });

  it("DMI only", async () => {
    const s = await readBios(tree({ "sys/class/dmi/id/bios_vendor": "SeaBIOS\n", "sys/class/dmi/id/sys_vendor": "QEMU\n", "sys/class/dmi/id/product_name": "Standard PC (Q35 + ICH9, 2009)\n" }), { runDmidecode: false });
    expect(s).toMatchObject({ dmi: { biosVendor: "SeaBIOS", sysVendor: "QEMU", biosVersion: null }, settingsSource: null, settings: [], vendor: "generic" });
    expect(biosSection.parse(s)).toBeTruthy();
  });

  it("export file in the tree", async () => {
    const s = await readBios(tree({ "sys/class/dmi/id/sys_vendor": "Lenovo\n", "etc/nfvdeck/bios-export.json": "Processors.HyperThreading=Disable\nProcessors.CStates=Disable\n" }), { runDmidecode: false });
    expect(s?.settingsSource).toBe("export-file");
    expect(settingMap(s?.settings ?? [])).toEqual({ hyperThreading: false, cStates: false });
  });

  it("bad export file → warning, not a throw", async () => {
    const s = await readBios(tree({ "etc/nfvdeck/bios-export.json": "{oops" }), { runDmidecode: false });
    expect(s?.warnings.join()).toMatch(/invalid JSON/);
  });

  it("env options are validated", () => {
    expect(biosOptionsFromEnv({})).toEqual({});
    expect(biosOptionsFromEnv({ NFVDECK_REDFISH_URL: "https://bmc.lab:443", NFVDECK_REDFISH_USER: "u", NFVDECK_REDFISH_PASSWORD: "p", NFVDECK_REDFISH_INSECURE: "1" }).redfish).toMatchObject({ systemId: "1", insecureTls: true });
    expect(() => biosOptionsFromEnv({ NFVDECK_REDFISH_URL: "not a url" })).toThrow();
    expect(biosOptionsFromEnv({ NFVDECK_BIOS_EXPORT: "/etc/x.json" }).exportFile).toBe("etc/x.json");
  });
});
