package resctrl

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

// The key cases of agent/collectors/resctrl.test.ts.

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := jsonx.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseSchemata(t *testing.T) {
	cases := []struct{ text, want string }{
		{"L3:0=fffff;1=fffff\nMB:0=100;1=100\n",
			`[{"domains":[{"id":0,"value":"fffff"},{"id":1,"value":"fffff"}],"resource":"L3"},{"domains":[{"id":0,"value":"100"},{"id":1,"value":"100"}],"resource":"MB"}]`},
		// the kernel pads resource names and values: "    MB:0=100;1= 50"
		{"    L3:0=fffff;1=ffff0\n    MB:0=100;1= 50\n",
			`[{"domains":[{"id":0,"value":"fffff"},{"id":1,"value":"ffff0"}],"resource":"L3"},{"domains":[{"id":0,"value":"100"},{"id":1,"value":"50"}],"resource":"MB"}]`},
		{"L3DATA:0=FFFFF;1=fffff\nL3CODE:0=fffff;1=fffff\n",
			`[{"domains":[{"id":0,"value":"fffff"},{"id":1,"value":"fffff"}],"resource":"L3DATA"},{"domains":[{"id":0,"value":"fffff"},{"id":1,"value":"fffff"}],"resource":"L3CODE"}]`},
		{"", `[]`},
	}
	for _, c := range cases {
		got, err := ParseSchemata(c.text)
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		if s := asJSON(t, got); s != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.text, s, c.want)
		}
	}
	for _, bad := range []struct{ line, want string }{
		{"L3 0=fffff", `schemata line 2: not "RESOURCE:id=value;…": "L3 0=fffff"`},
		{"L3:0:fffff", `schemata line 2: bad domain entry "0:fffff"`},
		{"L3:x=ff", `schemata line 2: bad domain entry "x=ff"`},
		// JS `.` does not match \r: a CR inside the line makes it malformed
		{"L3:0=ff\r;1=ff", `schemata line 2: not "RESOURCE:id=value;…": "L3:0=ff\r;1=ff"`},
	} {
		_, err := ParseSchemata("MB:0=100\n" + bad.line)
		if err == nil || err.Error() != bad.want {
			t.Errorf("%q: got %v, want %s", bad.line, err, bad.want)
		}
	}
}

func TestParseMonValue(t *testing.T) {
	cases := []struct {
		text    string
		present bool
		want    MonValue
	}{
		{"123456\n", true, MonValue{"123456", "ok"}},
		{"000042\n", true, MonValue{"42", "ok"}},
		{"18446744073709551615", true, MonValue{"18446744073709551615", "ok"}},
		{"18446744073709551616", true, MonValue{"", "invalid"}},
		{"123456789012345678901", true, MonValue{"", "invalid"}},
		{"Error\n", true, MonValue{"", "Error"}},
		{"Unavailable\n", true, MonValue{"", "Unavailable"}},
		{"Unassigned\n", true, MonValue{"", "Unassigned"}},
		{"-1", true, MonValue{"", "invalid"}},
		{"", true, MonValue{"", "invalid"}},
		{"", false, MonValue{"", "missing"}},
	}
	for _, c := range cases {
		if got := ParseMonValue(c.text, c.present); got != c.want {
			t.Errorf("%q/%v: got %+v, want %+v", c.text, c.present, got, c.want)
		}
	}
}

func TestTasksAndMounts(t *testing.T) {
	if got := CountTasks("1\n22\n333\n", true); got != 3.0 {
		t.Errorf("tasks: %v", got)
	}
	if got := CountTasks("", true); got != 0.0 {
		t.Errorf("empty tasks: %v", got)
	}
	if got := CountTasks("", false); got != nil {
		t.Errorf("absent tasks: %v", got)
	}
	opts, ok := ParseResctrlMount("sysfs /sys sysfs rw 0 0\nresctrl /sys/fs/resctrl resctrl rw,relatime,cdp,mba_MBps 0 0\n")
	if !ok || !reflect.DeepEqual(opts, []string{"rw", "relatime", "cdp", "mba_MBps"}) {
		t.Errorf("mount: %v %v", opts, ok)
	}
	if _, ok := ParseResctrlMount("proc /proc proc rw 0 0\n"); ok {
		t.Error("no resctrl line must give ok=false")
	}
}

const R = "sys/fs/resctrl"

// fullTree is a two-socket host with CAT + CMT + MBM + MBA, in the formats of resctrl.rst.
func fullTree() map[string]string {
	return map[string]string{
		"proc/mounts":                                                    "resctrl /sys/fs/resctrl resctrl rw,relatime 0 0\n",
		R + "/info/last_cmd_status":                                      "ok\n",
		R + "/info/L3/num_closids":                                       "16\n",
		R + "/info/L3/cbm_mask":                                          "fffff\n",
		R + "/info/L3/min_cbm_bits":                                      "1\n",
		R + "/info/L3/shareable_bits":                                    "c0000\n",
		R + "/info/L3/bit_usage":                                         "0=SSSSSSSSSSSSSSSSSSSS;1=SSSSSSSSSSSSSSSSSSSS\n",
		R + "/info/MB/num_closids":                                       "8\n",
		R + "/info/MB/bandwidth_gran":                                    "10\n",
		R + "/info/MB/min_bandwidth":                                     "10\n",
		R + "/info/MB/delay_linear":                                      "1\n",
		R + "/info/MB/thread_throttle_mode":                              "max\n",
		R + "/info/L3_MON/num_rmids":                                     "176\n",
		R + "/info/L3_MON/mon_features":                                  "llc_occupancy\nmbm_total_bytes\nmbm_local_bytes\n",
		R + "/info/L3_MON/max_threshold_occupancy":                       "1441792\n",
		R + "/schemata":                                                  "    MB:0=100;1=100\n    L3:0=fffff;1=fffff\n",
		R + "/cpus_list":                                                 "0-1,4-79\n",
		R + "/tasks":                                                     "1\n2\n3\n",
		R + "/mode":                                                      "shareable\n",
		R + "/mon_data/mon_L3_00/llc_occupancy":                          "2359296\n",
		R + "/mon_data/mon_L3_00/mbm_total_bytes":                        "191692800\n",
		R + "/mon_data/mon_L3_00/mbm_local_bytes":                        "150994944\n",
		R + "/mon_data/mon_L3_01/llc_occupancy":                          "1179648\n",
		R + "/mon_data/mon_L3_01/mbm_total_bytes":                        "Unavailable\n",
		R + "/mon_data/mon_L3_01/mbm_local_bytes":                        "Error\n",
		R + "/vnf-rt/schemata":                                           "    MB:0= 50;1=100\n    L3:0=00f00;1=fffff\n",
		R + "/vnf-rt/cpus_list":                                          "2-3\n",
		R + "/vnf-rt/tasks":                                              "4242\n",
		R + "/vnf-rt/mode":                                               "exclusive\n",
		R + "/vnf-rt/mon_data/mon_L3_00/llc_occupancy":                   "983040\n",
		R + "/vnf-rt/mon_data/mon_L3_00/mbm_total_bytes":                 "18446744073709551000\n",
		R + "/vnf-rt/mon_data/mon_L3_00/mbm_local_bytes":                 "Unassigned\n",
		R + "/vnf-rt/mon_groups/vm-a/cpus_list":                          "\n",
		R + "/vnf-rt/mon_groups/vm-a/tasks":                              "4242\n",
		R + "/vnf-rt/mon_groups/vm-a/mon_data/mon_L3_00/llc_occupancy":   "65536\n",
		R + "/vnf-rt/mon_groups/vm-a/mon_data/mon_L3_00/mbm_total_bytes": "4096\n",
		R + "/vnf-rt/mon_groups/vm-a/mon_data/mon_L3_00/mbm_local_bytes": "4096\n",
	}
}

func tree(t *testing.T, files map[string]string, dirs ...string) *hostfs.FS {
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
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := hostfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestNotMounted(t *testing.T) {
	s, err := Read(tree(t, map[string]string{"proc/mounts": "proc /proc proc rw 0 0\n"}))
	if err != nil || s != nil {
		t.Errorf("not mounted: got %v, %v; want nil, nil", s, err)
	}
	groups, mounted, err := ReadMonitoring(tree(t, nil))
	if err != nil || mounted || len(groups) != 0 {
		t.Errorf("monitoring of an empty tree: %v %v %v", groups, mounted, err)
	}
}

func TestFullHost(t *testing.T) {
	fs := tree(t, fullTree(), R+"/vnf-rt/mon_groups", R+"/mon_groups")
	r, err := ReadResctrl(fs)
	if err != nil || r == nil {
		t.Fatalf("read: %v %v", r, err)
	}
	s := r.Section
	if s["mounted"] != true || s["inProcMounts"] != true {
		t.Errorf("mounted %v inProcMounts %v", s["mounted"], s["inProcMounts"])
	}
	info := asJSON(t, s["info"])
	want := `{"cdp":false,"l2":null,"l3":{"bitUsage":"0=SSSSSSSSSSSSSSSSSSSS;1=SSSSSSSSSSSSSSSSSSSS","cbmMask":"fffff","minCbmBits":1,"numClosids":16,"shareableBits":"c0000"},` +
		`"l3Code":null,"l3Data":null,"l3Mon":{"maxThresholdOccupancy":1441792,"monFeatures":["llc_occupancy","mbm_total_bytes","mbm_local_bytes"],"numRmids":176},` +
		`"lastCmdStatus":"ok","mb":{"bandwidthGran":10,"delayLinear":true,"minBandwidth":10,"numClosids":8,"threadThrottleMode":"max"}}`
	if info != want {
		t.Errorf("info:\n got %s\nwant %s", info, want)
	}
	var groups []string
	for _, g := range s["controlGroups"].([]any) {
		m := g.(map[string]any)
		groups = append(groups, asJSON(t, []any{m["path"], m["cpusList"], m["taskCount"], m["mode"]}))
	}
	if got := strings.Join(groups, " "); got != `["/","0-1,4-79",3,"shareable"] ["vnf-rt","2-3",1,"exclusive"]` {
		t.Errorf("control groups: %s", got)
	}
	if got := asJSON(t, s["controlGroups"].([]any)[1].(map[string]any)["schemata"]); got != `[{"domains":[{"id":0,"value":"50"},{"id":1,"value":"100"}],"resource":"MB"},{"domains":[{"id":0,"value":"00f00"},{"id":1,"value":"fffff"}],"resource":"L3"}]` {
		t.Errorf("vnf-rt schemata: %s", got)
	}
	var mons []string
	for _, g := range s["monGroups"].([]any) {
		m := g.(map[string]any)
		var ds []string
		for _, d := range m["domains"].([]any) {
			dm := d.(map[string]any)
			ds = append(ds, strings.Join([]string{dm["domain"].(string), dm["llcOccupancy"].(string), dm["mbmTotalBytes"].(string), dm["mbmLocalBytes"].(string)}, ","))
		}
		mons = append(mons, m["path"].(string)+"@"+m["controlGroup"].(string)+"="+strings.Join(ds, ";"))
	}
	wantMons := "/@/=mon_L3_00,ok,ok,ok;mon_L3_01,ok,Unavailable,Error " +
		"vnf-rt@vnf-rt=mon_L3_00,ok,ok,Unassigned " +
		"vnf-rt/mon_groups/vm-a@vnf-rt=mon_L3_00,ok,ok,ok"
	if got := strings.Join(mons, " "); got != wantMons {
		t.Errorf("mon groups:\n got %s\nwant %s", got, wantMons)
	}
	if cpus := s["monGroups"].([]any)[2].(map[string]any)["cpusList"]; cpus != "" {
		t.Errorf("an empty cpus_list is \"\", got %#v", cpus)
	}
	if w := s["warnings"].([]string); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
}

func TestQosSamplesCarryValues(t *testing.T) {
	fs := tree(t, fullTree())
	r, err := ReadResctrl(fs)
	if err != nil || r == nil {
		t.Fatal(r, err)
	}
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	want := `[{"at":"2026-11-22T10:00:00.000Z","domain":"mon_L3_00","group":"/","llcOccupancyBytes":"2359296","mbmLocalBytes":"150994944","mbmTotalBytes":"191692800"},` +
		`{"at":"2026-11-22T10:00:00.000Z","domain":"mon_L3_01","group":"/","llcOccupancyBytes":"1179648","mbmLocalBytes":null,"mbmTotalBytes":null},` +
		`{"at":"2026-11-22T10:00:00.000Z","domain":"mon_L3_00","group":"vnf-rt","llcOccupancyBytes":"983040","mbmLocalBytes":null,"mbmTotalBytes":"18446744073709551000"},` +
		`{"at":"2026-11-22T10:00:00.000Z","domain":"mon_L3_00","group":"vnf-rt/mon_groups/vm-a","llcOccupancyBytes":"65536","mbmLocalBytes":"4096","mbmTotalBytes":"4096"}]`
	if got := asJSON(t, ToQosSamples(r.Monitoring, at)); got != want {
		t.Errorf("samples:\n got %s\nwant %s", got, want)
	}
	// the lean reading the sampler uses finds the same groups and values
	groups, mounted, err := ReadMonitoring(fs)
	if err != nil || !mounted {
		t.Fatal(mounted, err)
	}
	if got := asJSON(t, ToQosSamples(groups, at)); got != want {
		t.Errorf("ReadMonitoring samples:\n got %s\nwant %s", got, want)
	}
}

func TestCDP(t *testing.T) {
	fs := tree(t, map[string]string{
		R + "/info/L3CODE/num_closids":    "8\n",
		R + "/info/L3CODE/cbm_mask":       "7ff\n",
		R + "/info/L3CODE/min_cbm_bits":   "1\n",
		R + "/info/L3CODE/shareable_bits": "0\n",
		R + "/info/L3DATA/num_closids":    "8\n",
		R + "/info/L3DATA/cbm_mask":       "7FF\n",
		R + "/info/L3DATA/min_cbm_bits":   "1\n",
		R + "/info/L3DATA/shareable_bits": "0\n",
		R + "/schemata":                   "L3DATA:0=7ff;1=7ff\nL3CODE:0=7ff;1=7ff\n",
		R + "/cpus_list":                  "0-7\n",
		R + "/tasks":                      "",
	})
	r, err := ReadResctrl(fs)
	if err != nil || r == nil {
		t.Fatal(r, err)
	}
	info := r.Section["info"].(map[string]any)
	if info["cdp"] != true || info["l3"] != nil {
		t.Errorf("cdp %v l3 %v", info["cdp"], info["l3"])
	}
	if got := asJSON(t, info["l3Data"]); got != `{"bitUsage":null,"cbmMask":"7ff","minCbmBits":1,"numClosids":8,"shareableBits":"0"}` {
		t.Errorf("l3Data: %s", got)
	}
	root := r.Section["controlGroups"].([]any)[0].(map[string]any)
	if got := asJSON(t, root["schemata"]); !strings.Contains(got, `"resource":"L3DATA"}`) || strings.Index(got, "L3DATA") > strings.Index(got, "L3CODE") {
		t.Errorf("schemata order: %s", got)
	}
	if root["taskCount"] != 0.0 {
		t.Errorf("taskCount %v", root["taskCount"])
	}
	if r.Section["inProcMounts"] != nil {
		t.Errorf("no /proc/mounts → inProcMounts null, got %v", r.Section["inProcMounts"])
	}
}

func TestGarbageBecomesWarnings(t *testing.T) {
	files := fullTree()
	files[R+"/info/L3/num_closids"] = "sixteen\n"
	files[R+"/info/L3/cbm_mask"] = "zz\n"
	files[R+"/vnf-rt/schemata"] = "L3:0=fffff;garbage\n"
	r, err := ReadResctrl(tree(t, files))
	if err != nil || r == nil {
		t.Fatal(r, err)
	}
	l3 := r.Section["info"].(map[string]any)["l3"].(map[string]any)
	if l3["numClosids"] != nil || l3["cbmMask"] != nil {
		t.Errorf("l3: %v", l3)
	}
	if s := r.Section["controlGroups"].([]any)[1].(map[string]any)["schemata"]; asJSON(t, s) != "[]" {
		t.Errorf("bad schemata → []: %v", s)
	}
	w := strings.Join(r.Section["warnings"].([]string), "\n")
	for _, pat := range []string{`sys/fs/resctrl/info/L3/num_closids: not a count: "sixteen"`, `vnf-rt: schemata line 1: bad domain entry "garbage"`} {
		if !strings.Contains(w, pat) {
			t.Errorf("warnings lack %q:\n%s", pat, w)
		}
	}
}

// fixture trees (agent/fixtures/ht-on-rdt, ht-on-rdt-cdp): every sample equals its file
func TestFixtureTrees(t *testing.T) {
	digits := regexp.MustCompile(`^\d+$`)
	for _, name := range []string{"ht-on-rdt", "ht-on-rdt-cdp"} {
		dir := filepath.Join("..", "..", "..", "..", "fixtures", name)
		fs, err := hostfs.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ReadResctrl(fs)
		if err != nil || r == nil {
			t.Fatalf("%s: %v %v", name, r, err)
		}
		if w := r.Section["warnings"].([]string); len(w) != 0 {
			t.Errorf("%s: warnings %v", name, w)
		}
		var paths []string
		for _, g := range r.Section["monGroups"].([]any) {
			paths = append(paths, g.(map[string]any)["path"].(string))
		}
		if got := strings.Join(paths, " "); got != "/ mon_groups/vnf-a rt-vnf rt-vnf/mon_groups/vnf-rt-0" {
			t.Errorf("%s: mon groups %s", name, got)
		}
		samples := ToQosSamples(r.Monitoring, time.Unix(0, 0))
		if len(samples) != 8 {
			t.Fatalf("%s: %d samples", name, len(samples))
		}
		for _, s := range samples {
			d := ""
			if s["group"] != "/" {
				d = s["group"].(string) + "/"
			}
			for key, file := range map[string]string{"llcOccupancyBytes": "llc_occupancy", "mbmTotalBytes": "mbm_total_bytes", "mbmLocalBytes": "mbm_local_bytes"} {
				b, err := os.ReadFile(filepath.Join(dir, R, d+"mon_data", s["domain"].(string), file))
				if err != nil {
					t.Fatal(err)
				}
				text := strings.TrimSpace(string(b))
				var want any
				if digits.MatchString(text) {
					want = text
				}
				if s[key] != want {
					t.Errorf("%s %s %s %s: got %v, want %v", name, s["group"], s["domain"], key, s[key], want)
				}
			}
		}
	}
}

// An unreadable file fails the section as the TS collector's readText throw does, worded as Node's.
func TestIOErrorsWordedAsNode(t *testing.T) {
	files := fullTree()
	fs := tree(t, files, R+"/bad/schemata")
	_, err := Read(fs)
	if err == nil || err.Error() != "EISDIR: illegal operation on a directory, read" {
		t.Errorf("schemata directory: %v", err)
	}
	fs = tree(t, fullTree())
	loop := filepath.Join(fs.Root, R, "mon_groups")
	if err := os.Symlink("mon_groups", loop); err != nil {
		t.Fatal(err)
	}
	_, err = Read(fs)
	if err == nil || err.Error() != "ELOOP: too many symbolic links encountered, scandir '"+loop+"'" {
		t.Errorf("mon_groups loop: %v", err)
	}
	_, _, err = ReadMonitoring(fs)
	if err == nil || err.Error() != "ELOOP: too many symbolic links encountered, scandir '"+loop+"'" {
		t.Errorf("monitoring, mon_groups loop: %v", err)
	}
	fs = tree(t, fullTree())
	cpus := filepath.Join(fs.Root, R, "vnf-rt", "cpus_list")
	if err := os.Remove(cpus); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("cpus_list", cpus); err != nil {
		t.Fatal(err)
	}
	if _, err = Read(fs); err == nil || err.Error() != "ELOOP: too many symbolic links encountered, open '"+cpus+"'" {
		t.Errorf("cpus_list loop: %v", err)
	}
}

// go test -bench Read ./internal/collectors/resctrl: one section read of a captured RDT host.
func BenchmarkRead(b *testing.B) {
	fs, err := hostfs.New(filepath.Join("..", "..", "..", "..", "fixtures", "ht-on-rdt-cdp"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if s, err := Read(fs); err != nil || s == nil {
			b.Fatal(s, err)
		}
	}
}
