package bios

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// A tiny Redfish BMC for tests, the Go twin of agent/bios/redfish-test-server.ts: ServiceRoot, the
// Systems collection, a ComputerSystem, Bios ("#Bios.v1_1_0.Bios") with Attributes and
// "@Redfish.Settings" → SettingsObject (the pending, next-boot attributes) — each vendor with its own
// attribute names and pending URI style (HPE iLO: lower-case with a trailing slash; Dell iDRAC:
// …/Bios/Settings; Lenovo XCC: …/Bios/Pending). HTTP Basic auth as on a BMC; Redfish error bodies.

type bmcProfile struct {
	manufacturer, model, systemID, biosVersion, registry string
	settingsPath                                         func(systemPath string) string
	current, pending                                     map[string]any
}

var testProfiles = map[string]bmcProfile{
	"hpe": {
		manufacturer: "HPE", model: "ProLiant DL380 Gen10", systemID: "1", biosVersion: "U30 v2.90 (04/04/2024)", registry: "BiosAttributeRegistryU30.v1_2_90",
		settingsPath: func(sys string) string { return strings.ToLower(sys) + "/bios/settings/" },
		current: map[string]any{
			"AdvancedMemProtection": "AdvancedEcc", "BootMode": "Uefi", "EmbeddedSerialPort": "Com1Irq4", "EnergyPerfBias": "BalancedPerf",
			"IntelProcVtd": "Enabled", "IntelTxt": "Disabled", "MemPatrolScrubbing": "Enabled", "MinProcIdlePkgState": "C6Retention",
			"MinProcIdlePower": "C6", "NodeInterleaving": "Disabled", "PowerRegulator": "DynamicPowerSavings", "ProcCoreDisable": 0.0,
			"ProcHyperthreading": "Enabled", "ProcNoExecute": "Enabled", "ProcTurbo": "Enabled", "ProcVirtualization": "Enabled",
			"ProcX2Apic": "Enabled", "Sriov": "Enabled", "SubNumaClustering": "Disabled", "UsbControl": "UsbEnabled",
			"WorkloadProfile": "GeneralPowerEfficientCompute",
		},
		pending: map[string]any{"ProcHyperthreading": "Disabled", "WorkloadProfile": "LowLatency", "MinProcIdlePower": "NoCStates"},
	},
	"dell": {
		manufacturer: "Dell Inc.", model: "PowerEdge R740", systemID: "System.Embedded.1", biosVersion: "2.19.1", registry: "BiosAttributeRegistry.v1_0_3",
		settingsPath: func(sys string) string { return sys + "/Bios/Settings" },
		current: map[string]any{
			"BootMode": "Uefi", "IntelTxt": "Off", "LogicalProc": "Enabled", "MemOpMode": "OptimizerMode", "MemPatrolScrub": "Standard",
			"NodeInterleave": "Disabled", "Proc1Brand": "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", "ProcC1E": "Enabled", "ProcCStates": "Enabled",
			"ProcCores": "All", "ProcExecuteDisable": "Enabled", "ProcTurboMode": "Enabled", "ProcVirtualization": "Enabled", "ProcX2Apic": "Enabled",
			"SerialComm": "OnConRedirCom2", "SubNumaCluster": "Disabled", "SysProfile": "PerfPerWattOptimizedDapc",
		},
		pending: map[string]any{"SysProfile": "PerfOptimized", "LogicalProc": "Disabled"},
	},
	"lenovo": {
		manufacturer: "Lenovo", model: "ThinkSystem SR650", systemID: "1", biosVersion: "IVE178M-3.30", registry: "BiosAttributeRegistry.1.0.0",
		settingsPath: func(sys string) string { return sys + "/Bios/Pending" },
		current: map[string]any{
			"BootModes_SystemBootMode": "UEFIMode", "Memory_PatrolScrub": "Enable", "Memory_SocketInterleave": "NUMA",
			"OperatingModes_ChooseOperatingMode": "EfficiencyFavorPerformance", "Processors_C1EnhancedMode": "Enable",
			"Processors_CPUPstateControl": "Autonomous", "Processors_CStates": "Autonomous", "Processors_ExecuteDisableBit": "Enable",
			"Processors_HyperThreading": "Enable", "Processors_IntelVirtualizationTechnology": "Enable", "Processors_SNC": "Disable",
			"Processors_TurboMode": "Enable",
		},
		pending: map[string]any{},
	},
}

type testBMC struct {
	server             *httptest.Server
	url                string
	systemID           string
	username, password string
	mu                 sync.Mutex
	requests           []string
	// resources may be edited before the first request (e.g. to point SettingsObject elsewhere)
	resources map[string]any
}

func (b *testBMC) requested() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

func redfishError(w http.ResponseWriter, status int, message string) {
	id := "Base.1.0.ResourceMissingAtURI"
	if status == 401 {
		id = "Base.1.0.NoValidSession"
	}
	w.Header().Set("content-type", "application/json")
	w.Header().Set("odata-version", "4.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": "Base.1.0.GeneralError", "message": message,
		"@Message.ExtendedInfo": []any{map[string]any{"MessageId": id, "Message": message}},
	}})
}

func startBMC(t *testing.T, vendor string, tlsServer bool, username string) *testBMC {
	t.Helper()
	p := testProfiles[vendor]
	if username == "" {
		username = "admin"
	}
	password := "test-password"
	// a real settings object carries the whole attribute set with the pending changes applied
	pending := map[string]any{}
	for k, v := range p.current {
		pending[k] = v
	}
	for k, v := range p.pending {
		pending[k] = v
	}
	systemPath := "/redfish/v1/Systems/" + p.systemID
	settingsPath := p.settingsPath(systemPath)
	b := &testBMC{systemID: p.systemID, username: username, password: password}
	pendingJSON, _ := json.Marshal(pending)
	b.resources = map[string]any{
		"/redfish/v1": map[string]any{"@odata.id": "/redfish/v1", "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot", "Id": "RootService", "RedfishVersion": "1.6.0",
			"Systems": map[string]any{"@odata.id": "/redfish/v1/Systems"}},
		"/redfish/v1/Systems": map[string]any{"@odata.id": "/redfish/v1/Systems", "Members": []any{map[string]any{"@odata.id": systemPath}}, "Members@odata.count": 1},
		systemPath: map[string]any{"@odata.id": systemPath, "@odata.type": "#ComputerSystem.v1_10_0.ComputerSystem", "Id": p.systemID,
			"Manufacturer": p.manufacturer, "Model": p.model, "BiosVersion": p.biosVersion, "PowerState": "On",
			"Bios": map[string]any{"@odata.id": systemPath + "/Bios"}},
		systemPath + "/Bios": map[string]any{
			"@odata.context": "/redfish/v1/$metadata#Bios.Bios", "@odata.id": systemPath + "/Bios", "@odata.type": "#Bios.v1_1_0.Bios",
			"Id": "Bios", "Name": "BIOS Configuration Current Settings", "AttributeRegistry": p.registry, "Attributes": p.current,
			"@Redfish.Settings": map[string]any{"@odata.type": "#Settings.v1_0_0.Settings", "ETag": `W/"` + strconv.FormatInt(int64(len(pendingJSON)), 16) + `"`,
				"SettingsObject": map[string]any{"@odata.id": settingsPath}},
		},
		settingsPath: map[string]any{"@odata.id": settingsPath, "@odata.type": "#Bios.v1_1_0.Bios", "Id": "Settings",
			"Name": "BIOS Configuration Pending Settings", "AttributeRegistry": p.registry, "Attributes": pending},
	}
	expectedAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		b.mu.Lock()
		b.requests = append(b.requests, path)
		b.mu.Unlock()
		if r.Method != http.MethodGet {
			redfishError(w, 405, "method not allowed")
			return
		}
		if path != "/redfish/v1" && path != "/redfish/v1/" && r.Header.Get("authorization") != expectedAuth {
			w.Header().Set("www-authenticate", `Basic realm="Redfish"`)
			redfishError(w, 401, "authentication required")
			return
		}
		key := path
		if path == "/redfish/v1/" {
			key = "/redfish/v1"
		}
		body, ok := b.resources[key]
		if !ok {
			redfishError(w, 404, "no resource at "+path)
			return
		}
		w.Header().Set("content-type", "application/json; charset=utf-8")
		w.Header().Set("odata-version", "4.0")
		_ = json.NewEncoder(w).Encode(body)
	})
	if tlsServer {
		b.server = httptest.NewTLSServer(handler)
	} else {
		b.server = httptest.NewServer(handler)
	}
	b.url = b.server.URL
	t.Cleanup(b.server.Close)
	return b
}

func (b *testBMC) config() RedfishConfig {
	return RedfishConfig{BaseURL: b.url, SystemID: b.systemID, Username: b.username, Password: b.password}
}

// startSilentServer accepts connections and never answers; returns host:port.
func startSilentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}
