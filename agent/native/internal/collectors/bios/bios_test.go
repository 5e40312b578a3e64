package bios

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

// The key cases of agent/collectors/bios.test.ts, and testdata/ts-cases.json: the TS agent's own
// parseBiosExport / parseDmidecodeBios / readBios output on edge inputs (written by a tsx script from
// the repo root over the same inputs), which the Go port must equal.

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := jsonx.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func settingMap(settings []Normalised) map[string]any {
	m := map[string]any{}
	for _, s := range settings {
		m[s.Setting] = s.Value
	}
	return m
}

func TestOnOff(t *testing.T) {
	cases := []struct{ raw, want any }{
		{"Enabled", true}, {"Disabled", false}, {"Enable", true}, {"Disable", false}, {"On", true}, {"Off", false},
		{true, true}, {false, false}, {"Foo", nil}, {nil, nil}, {1.0, true}, {0.0, false}, {" AUTO ", true}, {"None", false}, {2.0, nil},
	}
	for _, c := range cases {
		if got := OnOff(c.raw); got != c.want {
			t.Errorf("OnOff(%#v) = %#v, want %#v", c.raw, got, c.want)
		}
	}
}

func TestNormalise(t *testing.T) {
	cases := []struct {
		vendor string
		attrs  map[string]any
		want   map[string]any
	}{
		{"hpe", map[string]any{"ProcHyperthreading": "Disabled", "MinProcIdlePower": "NoCStates", "ProcTurbo": "Disabled", "IntelProcVtd": "Enabled", "ProcVirtualization": "Enabled", "NodeInterleaving": "Disabled", "PowerRegulator": "StaticHighPerf", "ProcCoreDisable": 0.0},
			map[string]any{"hyperThreading": false, "cStates": false, "c6": false, "c1e": false, "turbo": false, "vtd": true, "vtx": true, "numa": true, "powerProfile": "StaticHighPerf", "activeCores": "all"}},
		{"hpe", map[string]any{"MinProcIdlePower": "C6", "ProcCoreDisable": 2.0}, map[string]any{"cStates": true, "c6": true, "c1e": true, "activeCores": "all-but-2"}},
		{"dell", map[string]any{"LogicalProc": "Enabled", "ProcCStates": "Disabled", "ProcC1E": "Disabled", "ProcTurboMode": "Disabled", "NodeInterleave": "Enabled", "SysProfile": "PerfOptimized", "MemPatrolScrub": "Disabled", "SnoopMode": "ClusterOnDie", "ProcCores": "All"},
			map[string]any{"hyperThreading": true, "cStates": false, "c1e": false, "turbo": false, "numa": false, "powerProfile": "PerfOptimized", "patrolScrub": false, "clusterOnDie": true, "activeCores": "all"}},
		{"lenovo", map[string]any{"Processors_HyperThreading": "Disable", "Processors_CStates": "Disable", "Processors_C1EnhancedMode": "Disable", "Processors_TurboMode": "Enable", "Processors_IntelVirtualizationTechnology": "Enable", "OperatingModes_ChooseOperatingMode": "MaximumPerformance", "Processors_CPUPstateControl": "None", "Memory_SocketInterleave": "NUMA"},
			map[string]any{"hyperThreading": false, "cStates": false, "c1e": false, "turbo": true, "vtx": true, "powerProfile": "MaximumPerformance", "eist": false, "numa": true}},
		// the guide's own (Intel reference BIOS) names
		{"generic", map[string]any{"C3": "Disabled", "C6": "Disabled", "EIST": "Disabled", "Port6064Emulation": "Disabled", "LegacyUsbSupport": "Disabled", "DemandScrub": "Disabled", "EnhancedErrorContainmentMode": "Disabled", "IntelTxt": "Disabled", "ExecuteDisableBit": "Enabled"},
			map[string]any{"c3": false, "c6": false, "eist": false, "port6064": false, "legacyUsb": false, "demandScrub": false, "errorContainment": false, "txt": false, "xdBit": true}},
		// a vendor's own switch beats the generic one
		{"dell", map[string]any{"HyperThreading": "Enabled", "LogicalProc": "Disabled", "ProcCores": "8"}, map[string]any{"hyperThreading": false, "activeCores": "8"}},
	}
	for i, c := range cases {
		out := Normalise(c.vendor, c.attrs)
		if got := settingMap(out); !reflect.DeepEqual(got, c.want) {
			t.Errorf("case %d (%s):\n got %v\nwant %v", i, c.vendor, got, c.want)
		}
		for j, s := range out {
			if _, ok := c.attrs[s.RawName]; !ok {
				t.Errorf("case %d: raw name %s not an input", i, s.RawName)
			}
			if j > 0 && indexOf(Settings, out[j-1].Setting) > indexOf(Settings, s.Setting) {
				t.Errorf("case %d: not in vocabulary order", i)
			}
		}
	}
	got := Normalise("dell", map[string]any{"LogicalProc": "Maybe"})
	if want := []Normalised{{"hyperThreading", nil, "LogicalProc", "Maybe"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("unknown value: %+v", got)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func TestDetectVendor(t *testing.T) {
	cases := []struct {
		sys, bios any
		names     []string
		want      string
	}{
		{"HPE", nil, nil, "hpe"}, {"Hewlett-Packard", nil, nil, "hpe"}, {"HP", nil, nil, "hpe"}, {"Dell Inc.", nil, nil, "dell"},
		{"LENOVO", nil, nil, "lenovo"}, {"QEMU", nil, []string{"Processors_HyperThreading", "Processors_TurboMode"}, "lenovo"},
		{nil, nil, []string{"C3"}, "generic"}, {"Supermicro", "American Megatrends Inc.", nil, "generic"}, {nil, "Dell Inc.", nil, "dell"},
		{"HPEX", nil, nil, "generic"}, {nil, nil, []string{"IntelTxt", "ProcVirtualization"}, "hpe"},
	}
	for _, c := range cases {
		if got := DetectVendor(c.sys, c.bios, c.names); got != c.want {
			t.Errorf("DetectVendor(%v, %v, %v) = %s, want %s", c.sys, c.bios, c.names, got, c.want)
		}
	}
}

type tsCases struct {
	Exports []struct {
		Text     string         `json:"text"`
		Result   map[string]any `json:"result"`
		Error    *string        `json:"error"`
		Warnings []any          `json:"warnings"`
	} `json:"exports"`
	Dmidecode []struct {
		Text   string `json:"text"`
		Result any    `json:"result"`
	} `json:"dmidecode"`
	Trees []struct {
		Files   map[string]string `json:"files"`
		Section any               `json:"section"`
	} `json:"trees"`
}

func loadTSCases(t *testing.T) tsCases {
	t.Helper()
	raw, err := os.ReadFile("testdata/ts-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c tsCases
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestExportsEqualTS(t *testing.T) {
	for i, c := range loadTSCases(t).Exports {
		w := values.NewWarnings()
		got, err := ParseExport(c.Text, w)
		if c.Error != nil {
			if err == nil || err.Error() != *c.Error {
				t.Errorf("export %d: got error %v, want %q", i, err, *c.Error)
			}
		} else if err != nil {
			t.Errorf("export %d: %v", i, err)
		} else if g := roundTrip(t, got); !reflect.DeepEqual(g, roundTrip(t, c.Result)) {
			t.Errorf("export %d:\n got %v\nwant %v", i, g, c.Result)
		}
		if g := roundTrip(t, w.Items); !reflect.DeepEqual(g, roundTrip(t, c.Warnings)) {
			t.Errorf("export %d warnings:\n got %v\nwant %v", i, g, c.Warnings)
		}
	}
}

func TestExportBound(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Attributes":{`)
	for i := 0; i < 4100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"Attr` + strconv.Itoa(i) + `":"Enabled"`)
	}
	b.WriteString("}}")
	w := values.NewWarnings()
	got, err := ParseExport(b.String(), w)
	if err != nil {
		t.Fatal(err)
	}
	if _, kept := got["Attr4095"]; len(got) != 4096 || !kept {
		t.Errorf("kept %d attributes (Attr4095: %v)", len(got), kept)
	}
	if !reflect.DeepEqual(w.Items, []string{"export: more than 4096 attributes, rest dropped"}) {
		t.Errorf("warnings %v", w.Items)
	}
}

func TestRefusesPrototypeKeysAndNonScalars(t *testing.T) {
	doc, err := parseJSON([]byte(`{"Attributes":{"__proto__":"x","A":{"b":1},"B":"Enabled"}}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseRedfishBios(doc, values.NewWarnings())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.attributes.Keys(), []string{"B"}) {
		t.Errorf("attributes %v", r.attributes.Keys())
	}
	for _, bad := range []struct{ doc, want string }{{`[1]`, "Redfish Bios: not a JSON object"}, {`{"Attributes":[]}`, `Redfish Bios: no "Attributes" object`}} {
		doc, _ := parseJSON([]byte(bad.doc))
		if _, err := parseRedfishBios(doc, values.NewWarnings()); err == nil || err.Error() != bad.want {
			t.Errorf("%s: %v", bad.doc, err)
		}
	}
}

func TestDmidecodeEqualsTS(t *testing.T) {
	for i, c := range loadTSCases(t).Dmidecode {
		got := ParseDmidecode(c.Text)
		var g any
		if got != nil {
			g = roundTrip(t, got)
		}
		if !reflect.DeepEqual(g, c.Result) {
			t.Errorf("dmidecode %d:\n got %v\nwant %v", i, g, c.Result)
		}
	}
}

func tree(t *testing.T, files map[string]string) *hostfs.FS {
	t.Helper()
	root := t.TempDir()
	for rel, text := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := hostfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

var noDmidecode = func() *bool { f := false; return &f }()
var noCache = func() *int { z := 0; return &z }()

func TestReadBiosTreesEqualTS(t *testing.T) {
	for i, c := range loadTSCases(t).Trees {
		got, err := ReadBios(tree(t, c.Files), Options{RunDmidecode: noDmidecode})
		if err != nil {
			t.Fatalf("tree %d: %v", i, err)
		}
		var g any
		if got != nil {
			g = roundTrip(t, jsonx.CleanValue(got))
		}
		if !reflect.DeepEqual(g, c.Section) {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(c.Section)
			t.Errorf("tree %d (%v):\n got %s\nwant %s", i, c.Files, gb, wb)
		}
	}
}

func TestRedfishVendors(t *testing.T) {
	for _, vendor := range []string{"hpe", "dell", "lenovo"} {
		bmc := startBMC(t, vendor, false, "")
		p := testProfiles[vendor]
		fs := tree(t, map[string]string{
			"sys/class/dmi/id/sys_vendor":   p.manufacturer + "\n",
			"sys/class/dmi/id/product_name": p.model + "\n",
			"sys/class/dmi/id/bios_vendor":  p.manufacturer + "\n",
			"sys/class/dmi/id/bios_version": "1.0\n",
			"sys/class/dmi/id/bios_date":    "04/04/2024\n",
		})
		cfg := bmc.config()
		out, err := ReadBios(fs, Options{Redfish: &cfg, RunDmidecode: noDmidecode, RedfishCacheMs: noCache})
		if err != nil || out == nil {
			t.Fatalf("%s: %v %v", vendor, out, err)
		}
		s := out.(map[string]any)
		if s["vendor"] != vendor || s["settingsSource"] != "redfish" || len(s["warnings"].([]string)) != 0 {
			t.Errorf("%s: vendor %v source %v warnings %v", vendor, s["vendor"], s["settingsSource"], s["warnings"])
		}
		if s["settingsOrigin"] != "/redfish/v1/Systems/"+p.systemID+"/Bios" {
			t.Errorf("%s: origin %v", vendor, s["settingsOrigin"])
		}
		if !reflect.DeepEqual(roundTrip(t, s["attributes"]), roundTrip(t, p.current)) {
			t.Errorf("%s: attributes %v", vendor, s["attributes"])
		}
		if !reflect.DeepEqual(roundTrip(t, s["pendingAttributes"]), roundTrip(t, p.pending)) {
			t.Errorf("%s: pending %v, want %v", vendor, s["pendingAttributes"], p.pending)
		}
		var hts map[string]any
		for _, x := range s["settings"].([]any) {
			if m := x.(map[string]any); m["setting"] == "hyperThreading" {
				hts = m
			}
		}
		if hts == nil || hts["value"] != true {
			t.Fatalf("%s: hyperThreading %v", vendor, hts)
		}
		askedSettings := false
		for _, r := range bmc.requested() {
			if regexp.MustCompile(`(?i)settings|pending`).MatchString(r) {
				askedSettings = true
			}
		}
		if !askedSettings {
			t.Errorf("%s: the settings object was not followed: %v", vendor, bmc.requested())
		}
		if len(p.pending) > 0 {
			want := map[string]any{"value": false, "rawValue": p.pending[hts["rawName"].(string)]}
			if !reflect.DeepEqual(hts["pending"], want) {
				t.Errorf("%s: pending %v, want %v", vendor, hts["pending"], want)
			}
		} else {
			for _, x := range s["settings"].([]any) {
				if x.(map[string]any)["pending"] != nil {
					t.Errorf("%s: no pending change expected: %v", vendor, x)
				}
			}
		}
	}
}

func TestRedfishHPEDetail(t *testing.T) {
	bmc := startBMC(t, "hpe", false, "")
	r, err := fetchRedfishBios(RedfishConfig{BaseURL: bmc.url, SystemID: "1", Username: "admin", Password: "test-password"}, values.NewWarnings())
	if err != nil {
		t.Fatal(err)
	}
	got := settingMap(Normalise("hpe", r.current.Plain()))
	want := map[string]any{"cStates": true, "c6": true, "turbo": true, "vtd": true, "vtx": true, "txt": false, "numa": true, "clusterOnDie": false, "powerProfile": "DynamicPowerSavings", "legacyUsb": true, "activeCores": "all"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// followed the lower-case, trailing-slash SettingsObject like a real iLO
	if req := bmc.requested(); len(req) != 2 || req[1] != "/redfish/v1/systems/1/bios/settings/" {
		t.Errorf("requests %v", req)
	}
}

func TestRedfishFailuresAreWarnings(t *testing.T) {
	bmc := startBMC(t, "dell", false, "")
	cfg := bmc.config()
	cfg.Password = "wrong"
	out, err := ReadBios(tree(t, map[string]string{"sys/class/dmi/id/sys_vendor": "Dell Inc.\n"}), Options{Redfish: &cfg, RunDmidecode: noDmidecode, RedfishCacheMs: noCache})
	if err != nil {
		t.Fatal(err)
	}
	s := out.(map[string]any)
	if s["settingsSource"] != nil || s["dmi"].(map[string]any)["sysVendor"] != "Dell Inc." || s["vendor"] != "dell" {
		t.Errorf("section %v", s)
	}
	if w := strings.Join(s["warnings"].([]string), ","); w != "Redfish: Redfish GET /redfish/v1/Systems/System.Embedded.1/Bios: HTTP 401: authentication required" {
		t.Errorf("warnings %q", w)
	}

	lenovo := startBMC(t, "lenovo", false, "")
	cfg = lenovo.config()
	cfg.SystemID = "9"
	out, _ = ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, RedfishCacheMs: noCache})
	if w := strings.Join(out.(map[string]any)["warnings"].([]string), ","); w != "Redfish: Redfish GET /redfish/v1/Systems/9/Bios: HTTP 404: no resource at /redfish/v1/Systems/9/Bios" {
		t.Errorf("404 warning %q", w)
	}
	url := lenovo.url
	lenovo.server.Close()
	down := RedfishConfig{BaseURL: url, SystemID: "1", Username: "a", Password: "b", TimeoutMs: 2000}
	out, _ = ReadBios(tree(t, nil), Options{Redfish: &down, RunDmidecode: noDmidecode, RedfishCacheMs: noCache})
	host := strings.TrimPrefix(url, "http://")
	if w := strings.Join(out.(map[string]any)["warnings"].([]string), ","); w != "Redfish: GET "+url+"/redfish/v1/Systems/1/Bios: connect ECONNREFUSED "+host {
		t.Errorf("down warning %q", w)
	}
}

func TestRedfishCache(t *testing.T) {
	bmc := startBMC(t, "dell", false, "cache-test")
	cfg := bmc.config()
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	first, _ := ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, Now: now})
	asked := len(bmc.requested())
	bmc.server.Close()
	clock = clock.Add(DefaultRedfishCacheMs*time.Millisecond - time.Millisecond)
	cached, _ := ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, Now: now})
	if asked == 0 || !reflect.DeepEqual(cached.(map[string]any)["settings"], first.(map[string]any)["settings"]) || len(cached.(map[string]any)["warnings"].([]string)) != 0 {
		t.Errorf("cached answer: asked %d, %v", asked, cached)
	}
	// past the cache time the BMC is asked again (and is gone)
	clock = clock.Add(time.Millisecond)
	stale, _ := ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, Now: now})
	if s := stale.(map[string]any); s["settingsSource"] != nil || !strings.Contains(strings.Join(s["warnings"].([]string), ","), "ECONNREFUSED") {
		t.Errorf("after the cache time: %v", s)
	}
	fresh, _ := ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, RedfishCacheMs: noCache, Now: now})
	if s := fresh.(map[string]any); s["settingsSource"] != nil {
		t.Errorf("cache 0 must ask again: %v", s)
	}
}

func TestRedfishTLS(t *testing.T) {
	bmc := startBMC(t, "hpe", true, "")
	cfg := bmc.config()
	out, _ := ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, RedfishCacheMs: noCache})
	host := strings.TrimPrefix(bmc.url, "https://")
	if w := strings.Join(out.(map[string]any)["warnings"].([]string), ","); !strings.HasPrefix(w, "Redfish: GET https://"+host+"/redfish/v1/Systems/1/Bios: ") || !strings.Contains(w, "certificate") {
		t.Errorf("a self-signed BMC without insecureTls must be refused: %q", w)
	}
	cfg.InsecureTLS = true
	out, _ = ReadBios(tree(t, nil), Options{Redfish: &cfg, RunDmidecode: noDmidecode, RedfishCacheMs: noCache})
	if s := out.(map[string]any); s["settingsSource"] != "redfish" || len(s["warnings"].([]string)) != 0 {
		t.Errorf("insecureTls: %v", s)
	}
}

func TestRedfishRefusesOtherOriginAndTimesOut(t *testing.T) {
	bmc := startBMC(t, "dell", false, "")
	bios := bmc.resources["/redfish/v1/Systems/System.Embedded.1/Bios"].(map[string]any)
	bios["@Redfish.Settings"] = map[string]any{"SettingsObject": map[string]any{"@odata.id": "http://evil.example:8080/steal"}}
	w := values.NewWarnings()
	if _, err := fetchRedfishBios(bmc.config(), w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Items, []string{"pending settings: Redfish: refusing to follow http://evil.example:8080 (not the BMC)"}) {
		t.Errorf("warnings %v", w.Items)
	}

	// a BMC that accepts and never answers: the idle timeout, worded as the TS agent does
	silent := startSilentServer(t)
	cfg := RedfishConfig{BaseURL: "http://" + silent, SystemID: "1", Username: "u", TimeoutMs: 200}
	started := time.Now()
	_, err := fetchRedfishBios(cfg, values.NewWarnings())
	want := "GET http://" + silent + "/redfish/v1/Systems/1/Bios: Redfish GET /redfish/v1/Systems/1/Bios: timed out after 200 ms"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if time.Since(started) > 5*time.Second {
		t.Errorf("the timeout did not apply: %v", time.Since(started))
	}
}

func TestOptionsFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if o, err := OptionsFromEnv(env(nil)); err != nil || o.Redfish != nil || o.ExportFile != nil {
		t.Errorf("empty env: %+v %v", o, err)
	}
	o, err := OptionsFromEnv(env(map[string]string{"NFVDECK_REDFISH_URL": "https://bmc.lab:443", "NFVDECK_REDFISH_USER": "u", "NFVDECK_REDFISH_PASSWORD": "p", "NFVDECK_REDFISH_INSECURE": "1"}))
	if err != nil || o.Redfish == nil || o.Redfish.SystemID != "1" || !o.Redfish.InsecureTLS || o.Redfish.timeoutMs() != 10_000 {
		t.Errorf("redfish env: %+v %v", o.Redfish, err)
	}
	if o, _ := OptionsFromEnv(env(map[string]string{"NFVDECK_BIOS_EXPORT": "/etc/x.json"})); o.ExportFile == nil || *o.ExportFile != "etc/x.json" {
		t.Errorf("export file %v", o.ExportFile)
	}
	// zod's own messages, as the TS agent's section error shows them (captured from it)
	errs := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"NFVDECK_REDFISH_URL": "not a url"}, "[\n  {\n    \"code\": \"invalid_format\",\n    \"format\": \"url\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"Invalid URL\"\n  },\n  {\n    \"code\": \"custom\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"http(s) URL\"\n  },\n  {\n    \"origin\": \"string\",\n    \"code\": \"too_small\",\n    \"minimum\": 1,\n    \"inclusive\": true,\n    \"path\": [\n      \"username\"\n    ],\n    \"message\": \"Too small: expected string to have >=1 characters\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "ftp://bmc", "NFVDECK_REDFISH_USER": "u"}, "[\n  {\n    \"code\": \"custom\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"http(s) URL\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "HTTP://bmc", "NFVDECK_REDFISH_USER": "u"}, "[\n  {\n    \"code\": \"custom\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"http(s) URL\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "http://", "NFVDECK_REDFISH_USER": "u"}, "[\n  {\n    \"code\": \"invalid_format\",\n    \"format\": \"url\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"Invalid URL\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "https://b mc", "NFVDECK_REDFISH_USER": "u"}, "[\n  {\n    \"code\": \"invalid_format\",\n    \"format\": \"url\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"Invalid URL\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "https://bmc:99999", "NFVDECK_REDFISH_USER": "u"}, "[\n  {\n    \"code\": \"invalid_format\",\n    \"format\": \"url\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"Invalid URL\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "http:bmc", "NFVDECK_REDFISH_USER": "u"}, "[\n  {\n    \"code\": \"custom\",\n    \"path\": [\n      \"baseUrl\"\n    ],\n    \"message\": \"http(s) URL\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "https://bmc", "NFVDECK_REDFISH_USER": "u", "NFVDECK_REDFISH_SYSTEM": ""}, "[\n  {\n    \"origin\": \"string\",\n    \"code\": \"too_small\",\n    \"minimum\": 1,\n    \"inclusive\": true,\n    \"path\": [\n      \"systemId\"\n    ],\n    \"message\": \"Too small: expected string to have >=1 characters\"\n  },\n  {\n    \"origin\": \"string\",\n    \"code\": \"invalid_format\",\n    \"format\": \"regex\",\n    \"pattern\": \"/^[A-Za-z0-9._-]+$/\",\n    \"path\": [\n      \"systemId\"\n    ],\n    \"message\": \"Invalid string: must match pattern /^[A-Za-z0-9._-]+$/\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_URL": "https://bmc", "NFVDECK_REDFISH_USER": strings.Repeat("u", 300), "NFVDECK_REDFISH_PASSWORD": strings.Repeat("p", 1100), "NFVDECK_REDFISH_SYSTEM": strings.Repeat("s", 130) + "/"},
			"[\n  {\n    \"origin\": \"string\",\n    \"code\": \"too_big\",\n    \"maximum\": 128,\n    \"inclusive\": true,\n    \"path\": [\n      \"systemId\"\n    ],\n    \"message\": \"Too big: expected string to have <=128 characters\"\n  },\n  {\n    \"origin\": \"string\",\n    \"code\": \"invalid_format\",\n    \"format\": \"regex\",\n    \"pattern\": \"/^[A-Za-z0-9._-]+$/\",\n    \"path\": [\n      \"systemId\"\n    ],\n    \"message\": \"Invalid string: must match pattern /^[A-Za-z0-9._-]+$/\"\n  },\n  {\n    \"origin\": \"string\",\n    \"code\": \"too_big\",\n    \"maximum\": 256,\n    \"inclusive\": true,\n    \"path\": [\n      \"username\"\n    ],\n    \"message\": \"Too big: expected string to have <=256 characters\"\n  },\n  {\n    \"origin\": \"string\",\n    \"code\": \"too_big\",\n    \"maximum\": 1024,\n    \"inclusive\": true,\n    \"path\": [\n      \"password\"\n    ],\n    \"message\": \"Too big: expected string to have <=1024 characters\"\n  }\n]"},
		{map[string]string{"NFVDECK_REDFISH_INSECURE": "", "NFVDECK_BIOS_EXPORT": "///x"}, "[\n  {\n    \"code\": \"invalid_value\",\n    \"values\": [\n      \"0\",\n      \"1\",\n      \"true\",\n      \"false\"\n    ],\n    \"path\": [\n      \"NFVDECK_REDFISH_INSECURE\"\n    ],\n    \"message\": \"Invalid option: expected one of \\\"0\\\"|\\\"1\\\"|\\\"true\\\"|\\\"false\\\"\"\n  }\n]"},
	}
	for _, c := range errs {
		_, err := OptionsFromEnv(env(c.env))
		if err == nil || err.Error() != c.want {
			t.Errorf("%v:\n got %v\nwant %s", c.env, err, c.want)
		}
	}
	if o, err := OptionsFromEnv(env(map[string]string{"NFVDECK_REDFISH_URL": "https://[::1]:8443/x?y#z", "NFVDECK_REDFISH_USER": "u", "NFVDECK_REDFISH_INSECURE": "true"})); err != nil || !o.Redfish.InsecureTLS {
		t.Errorf("IPv6 URL: %+v %v", o.Redfish, err)
	}
}

func TestExportFileInTree(t *testing.T) {
	out, err := ReadBios(tree(t, map[string]string{"sys/class/dmi/id/sys_vendor": "Lenovo\n", "etc/x.json": "Processors.HyperThreading=Disable\nProcessors.CStates=Disable\n"}),
		Options{RunDmidecode: noDmidecode, ExportFile: func() *string { s := "etc/x.json"; return &s }()})
	if err != nil {
		t.Fatal(err)
	}
	s := out.(map[string]any)
	if s["settingsSource"] != "export-file" || s["settingsOrigin"] != "etc/x.json" {
		t.Errorf("source %v %v", s["settingsSource"], s["settingsOrigin"])
	}
	var names []string
	for _, x := range s["settings"].([]any) {
		m := x.(map[string]any)
		names = append(names, m["setting"].(string)+"="+strconv.FormatBool(m["value"].(bool)))
	}
	if strings.Join(names, " ") != "cStates=false hyperThreading=false" {
		t.Errorf("settings %v", names)
	}
}

// testdata/v8-json-errors.json: [text, message or null] from Node 20's own JSON.parse.
func TestV8JSONErrors(t *testing.T) {
	raw, err := os.ReadFile("testdata/v8-json-errors.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][2]*string
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		msg, failed := v8JSONError(*c[0])
		if c[1] == nil {
			if failed {
				t.Errorf("%q parses in V8, got %q", *c[0], msg)
			}
			continue
		}
		if !failed || msg != *c[1] {
			t.Errorf("%q:\n got %q\nwant %q", *c[0], msg, *c[1])
		}
	}
}

// go test -bench Read ./internal/collectors/bios: the section from a captured host's DMI (no BMC).
func BenchmarkRead(b *testing.B) {
	fs, err := hostfs.New(filepath.Join("..", "..", "..", "..", "fixtures", "ht-on-rdt"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if s, err := ReadBios(fs, Options{RunDmidecode: noDmidecode}); err != nil || s == nil {
			b.Fatal(s, err)
		}
	}
}

// testdata/zod-url.json: [baseUrl, ZodError message or null] from the TS redfishConfigSchema itself.
func TestBaseURLValidationEqualsZod(t *testing.T) {
	raw, err := os.ReadFile("testdata/zod-url.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][2]*string
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		err := RedfishConfig{BaseURL: *c[0], SystemID: "1", Username: "u"}.Validate()
		switch {
		case c[1] == nil && err != nil:
			t.Errorf("%q is valid for zod, got %v", *c[0], err)
		case c[1] != nil && (err == nil || err.Error() != *c[1]):
			t.Errorf("%q:\n got %v\nwant %s", *c[0], err, *c[1])
		}
	}
}
