/**
 * A tiny Redfish BMC for tests (node:http on 127.0.0.1, random port). A real BMC cannot run here, so this
 * fake speaks the real resource shapes: ServiceRoot, the Systems collection, a ComputerSystem with its Bios
 * link, and Bios ("#Bios.v1_1_0.Bios") with Attributes and "@Redfish.Settings" → SettingsObject (the
 * pending, next-boot attributes) — each vendor with its own attribute names and its own pending URI style
 * (HPE iLO: lower-case with a trailing slash; Dell iDRAC: …/Bios/Settings; Lenovo XCC: …/Bios/Pending).
 * HTTP Basic authentication is required, as on a BMC; errors use the Redfish error body.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RawAttributeValue } from "@/agent/bios/vendor-map";

export type TestBmcVendor = "hpe" | "dell" | "lenovo";

interface VendorProfile {
  manufacturer: string;
  model: string;
  systemId: string;
  biosVersion: string;
  registry: string;
  /** pending settings path, relative to the system */
  settingsPath: (systemPath: string) => string;
  current: Record<string, RawAttributeValue>;
  pending: Record<string, RawAttributeValue>;
}

/** Attribute sets as these BMCs report them (a realistic subset: the ones the guide cares about + neighbours). */
export const TEST_BMC_PROFILES: Record<TestBmcVendor, VendorProfile> = {
  hpe: {
    manufacturer: "HPE",
    model: "ProLiant DL380 Gen10",
    systemId: "1",
    biosVersion: "U30 v2.90 (04/04/2024)",
    registry: "BiosAttributeRegistryU30.v1_2_90",
    settingsPath: (sys) => `${sys.toLowerCase()}/bios/settings/`,
    current: {
      AdvancedMemProtection: "AdvancedEcc",
      BootMode: "Uefi",
      EmbeddedSerialPort: "Com1Irq4",
      EnergyPerfBias: "BalancedPerf",
      IntelProcVtd: "Enabled",
      IntelTxt: "Disabled",
      MemPatrolScrubbing: "Enabled",
      MinProcIdlePkgState: "C6Retention",
      MinProcIdlePower: "C6",
      NodeInterleaving: "Disabled",
      PowerRegulator: "DynamicPowerSavings",
      ProcCoreDisable: 0,
      ProcHyperthreading: "Enabled",
      ProcNoExecute: "Enabled",
      ProcTurbo: "Enabled",
      ProcVirtualization: "Enabled",
      ProcX2Apic: "Enabled",
      Sriov: "Enabled",
      SubNumaClustering: "Disabled",
      UsbControl: "UsbEnabled",
      WorkloadProfile: "GeneralPowerEfficientCompute",
    },
    pending: { ProcHyperthreading: "Disabled", WorkloadProfile: "LowLatency", MinProcIdlePower: "NoCStates" },
  },
  dell: {
    manufacturer: "Dell Inc.",
    model: "PowerEdge R740",
    systemId: "System.Embedded.1",
    biosVersion: "2.19.1",
    registry: "BiosAttributeRegistry.v1_0_3",
    settingsPath: (sys) => `${sys}/Bios/Settings`,
    current: {
      BootMode: "Uefi",
      IntelTxt: "Off",
      LogicalProc: "Enabled",
      MemOpMode: "OptimizerMode",
      MemPatrolScrub: "Standard",
      NodeInterleave: "Disabled",
      Proc1Brand: "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz",
      ProcC1E: "Enabled",
      ProcCStates: "Enabled",
      ProcCores: "All",
      ProcExecuteDisable: "Enabled",
      ProcTurboMode: "Enabled",
      ProcVirtualization: "Enabled",
      ProcX2Apic: "Enabled",
      SerialComm: "OnConRedirCom2",
      SubNumaCluster: "Disabled",
      SysProfile: "PerfPerWattOptimizedDapc",
    },
    pending: { SysProfile: "PerfOptimized", LogicalProc: "Disabled" },
  },
  lenovo: {
    manufacturer: "Lenovo",
    model: "ThinkSystem SR650",
    systemId: "1",
    biosVersion: "IVE178M-3.30",
    registry: "BiosAttributeRegistry.1.0.0",
    settingsPath: (sys) => `${sys}/Bios/Pending`,
    current: {
      BootModes_SystemBootMode: "UEFIMode",
      Memory_PatrolScrub: "Enable",
      Memory_SocketInterleave: "NUMA",
      OperatingModes_ChooseOperatingMode: "EfficiencyFavorPerformance",
      Processors_C1EnhancedMode: "Enable",
      Processors_CPUPstateControl: "Autonomous",
      Processors_CStates: "Autonomous",
      Processors_ExecuteDisableBit: "Enable",
      Processors_HyperThreading: "Enable",
      Processors_IntelVirtualizationTechnology: "Enable",
      Processors_SNC: "Disable",
      Processors_TurboMode: "Enable",
    },
    pending: {},
  },
};

export interface TestBmcOptions {
  vendor: TestBmcVendor;
  username?: string;
  password?: string;
  /** overrides of the profile's attribute sets */
  current?: Record<string, RawAttributeValue>;
  pending?: Record<string, RawAttributeValue>;
}

export interface TestBmc {
  url: string;
  systemId: string;
  username: string;
  password: string;
  /** paths requested, in order (so tests can see the client followed SettingsObject) */
  requests: string[];
  close: () => Promise<void>;
}

function redfishError(res: http.ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "application/json", "odata-version": "4.0" });
  res.end(
    JSON.stringify({
      error: {
        code: "Base.1.0.GeneralError",
        message,
        "@Message.ExtendedInfo": [{ MessageId: status === 401 ? "Base.1.0.NoValidSession" : "Base.1.0.ResourceMissingAtURI", Message: message }],
      },
    }),
  );
}

export async function startRedfishTestServer(opts: TestBmcOptions): Promise<TestBmc> {
  const p = TEST_BMC_PROFILES[opts.vendor];
  const username = opts.username ?? "admin";
  const password = opts.password ?? "test-password";
  const current = opts.current ?? p.current;
  // a real settings object carries the whole attribute set with the pending changes applied
  const pending = { ...current, ...(opts.pending ?? p.pending) };
  const systemPath = `/redfish/v1/Systems/${p.systemId}`;
  const settingsPath = p.settingsPath(systemPath);
  const requests: string[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

  const resources: Record<string, unknown> = {
    "/redfish/v1": {
      "@odata.context": "/redfish/v1/$metadata#ServiceRoot.ServiceRoot",
      "@odata.id": "/redfish/v1",
      "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot",
      Id: "RootService",
      Name: "Root Service",
      RedfishVersion: "1.6.0",
      Systems: { "@odata.id": "/redfish/v1/Systems" },
    },
    "/redfish/v1/Systems": {
      "@odata.id": "/redfish/v1/Systems",
      "@odata.type": "#ComputerSystemCollection.ComputerSystemCollection",
      Name: "Computer System Collection",
      Members: [{ "@odata.id": systemPath }],
      "Members@odata.count": 1,
    },
    [systemPath]: {
      "@odata.id": systemPath,
      "@odata.type": "#ComputerSystem.v1_10_0.ComputerSystem",
      Id: p.systemId,
      Manufacturer: p.manufacturer,
      Model: p.model,
      BiosVersion: p.biosVersion,
      PowerState: "On",
      Bios: { "@odata.id": `${systemPath}/Bios` },
    },
    [`${systemPath}/Bios`]: {
      "@odata.context": "/redfish/v1/$metadata#Bios.Bios",
      "@odata.id": `${systemPath}/Bios`,
      "@odata.type": "#Bios.v1_1_0.Bios",
      Id: "Bios",
      Name: "BIOS Configuration Current Settings",
      AttributeRegistry: p.registry,
      Attributes: current,
      "@Redfish.Settings": {
        "@odata.type": "#Settings.v1_0_0.Settings",
        ETag: `W/"${Buffer.from(JSON.stringify(pending)).length.toString(16)}"`,
        SettingsObject: { "@odata.id": settingsPath },
      },
    },
    [settingsPath]: {
      "@odata.id": settingsPath,
      "@odata.type": "#Bios.v1_1_0.Bios",
      Id: "Settings",
      Name: "BIOS Configuration Pending Settings",
      AttributeRegistry: p.registry,
      Attributes: pending,
    },
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    requests.push(path);
    if (req.method !== "GET") return redfishError(res, 405, "method not allowed");
    if (path !== "/redfish/v1" && path !== "/redfish/v1/" && req.headers.authorization !== expectedAuth) {
      res.setHeader("www-authenticate", 'Basic realm="Redfish"');
      return redfishError(res, 401, "authentication required");
    }
    const key = path === "/redfish/v1/" ? "/redfish/v1" : path;
    const body = resources[key];
    if (body === undefined) return redfishError(res, 404, `no resource at ${path}`);
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "odata-version": "4.0" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    systemId: p.systemId,
    username,
    password,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
