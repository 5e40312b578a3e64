package qos

import (
	"encoding/json"
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

const fixtures = "../../../fixtures"

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

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

// testdata/ts-samples.json is the TS agent's own output on the fixture trees, written by
//
//	npx tsx x.ts  (from the repo root), x.ts:
//	for (const t of ["ht-on-rdt", "ht-on-rdt-cdp", "amd-epyc", "empty-tree"])
//	  out[t] = await readQosSamples(new HostFs(`agent/fixtures/${t}`), new Date(Date.UTC(2026, 10, 22, 10, 0, 0, 123)));
//
// so the samples (values, order, null where the kernel said no, key set) must equal it exactly.
func TestEqualsTSAgentOnFixtureTrees(t *testing.T) {
	raw, err := os.ReadFile("testdata/ts-samples.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 10, 0, 0, 123_000_000, time.UTC)
	for tree, w := range want {
		fs, err := hostfs.New(filepath.Join(fixtures, tree))
		if err != nil {
			t.Fatal(err)
		}
		got := roundTrip(t, NewSampler(fs, fixedClock(at)).Take())
		if !reflect.DeepEqual(got, w) {
			gb, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("%s: samples differ from the TS agent's\n got %s", tree, gb)
		}
	}
}

// The TS test's own check: on ht-on-rdt and ht-on-rdt-cdp, 8 samples, each value equals its file.
func TestEverySampleEqualsItsFile(t *testing.T) {
	digits := regexp.MustCompile(`^\d+$`)
	for _, tree := range []string{"ht-on-rdt", "ht-on-rdt-cdp"} {
		dir := filepath.Join(fixtures, tree)
		fs, err := hostfs.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		samples, err := NewSampler(fs, fixedClock(time.Unix(0, 0))).TakeChecked()
		if err != nil {
			t.Fatal(err)
		}
		if len(samples) != 8 {
			t.Fatalf("%s: %d samples, want 8", tree, len(samples))
		}
		groups := map[string]bool{}
		for _, s := range samples {
			groups[s["group"].(string)] = true
			if s["at"] != "1970-01-01T00:00:00.000Z" {
				t.Errorf("at %v", s["at"])
			}
			prefix := ""
			if s["group"] != "/" {
				prefix = s["group"].(string) + "/"
			}
			for key, file := range map[string]string{"llcOccupancyBytes": "llc_occupancy", "mbmTotalBytes": "mbm_total_bytes", "mbmLocalBytes": "mbm_local_bytes"} {
				b, err := os.ReadFile(filepath.Join(dir, "sys/fs/resctrl", prefix+"mon_data", s["domain"].(string), file))
				if err != nil {
					t.Fatal(err)
				}
				var want any
				if text := strings.TrimSpace(string(b)); digits.MatchString(text) {
					want = text
				}
				if s[key] != want {
					t.Errorf("%s %v %v %s: got %v, want %v", tree, s["group"], s["domain"], key, s[key], want)
				}
			}
		}
		if len(groups) != 4 || !groups["/"] || !groups["mon_groups/vnf-a"] || !groups["rt-vnf"] || !groups["rt-vnf/mon_groups/vnf-rt-0"] {
			t.Errorf("%s: groups %v", tree, groups)
		}
	}
}

type hostTree struct {
	t    *testing.T
	root string
}

func newHostTree(t *testing.T) *hostTree { return &hostTree{t, t.TempDir()} }

func (h *hostTree) write(rel, text string) {
	h.t.Helper()
	p := filepath.Join(h.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *hostTree) fs() *hostfs.FS {
	fs, err := hostfs.New(h.root)
	if err != nil {
		h.t.Fatal(err)
	}
	return fs
}

const R = "sys/fs/resctrl"

func TestNotMountedGivesEmpty(t *testing.T) {
	h := newHostTree(t)
	h.write("proc/mounts", "proc /proc proc rw 0 0\n")
	// a mon_data without info/ is not a mounted resctrl
	h.write(R+"/mon_data/mon_L3_00/llc_occupancy", "1\n")
	samples, err := NewSampler(h.fs(), nil).TakeChecked()
	if err != nil || samples == nil || len(samples) != 0 {
		t.Errorf("got %v, %v; want an empty non-nil slice", samples, err)
	}
	if b, _ := jsonx.Marshal(NewSampler(h.fs(), nil).Take()); string(b) != "[]" {
		t.Errorf("JSON %s, want []", b)
	}
}

// Counters are sent raw between takes, as the TS agent does: a counter that moved on, wrapped past
// u64 or was reset reads what the file says; each take stamps its own clock reading; a group that
// appears or goes between takes does so in the samples.
func TestSuccessiveTakes(t *testing.T) {
	h := newHostTree(t)
	h.write(R+"/info/last_cmd_status", "ok\n")
	h.write(R+"/schemata", "L3:0=fff\n")
	h.write(R+"/mon_data/mon_L3_00/llc_occupancy", "4096\n")
	h.write(R+"/mon_data/mon_L3_00/mbm_total_bytes", "18446744073709551000\n")
	h.write(R+"/mon_data/mon_L3_00/mbm_local_bytes", "9007199254740993\n") // 2^53+1: exact as text
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s := NewSampler(h.fs(), func() time.Time { return clock })

	take := func() string {
		t.Helper()
		samples, err := s.TakeChecked()
		if err != nil {
			t.Fatal(err)
		}
		b, err := jsonx.Marshal(samples)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	steps := []struct {
		name  string
		apply func()
		want  string
	}{
		{"first", func() {},
			`[{"at":"2026-11-22T10:00:00.000Z","domain":"mon_L3_00","group":"/","llcOccupancyBytes":"4096","mbmLocalBytes":"9007199254740993","mbmTotalBytes":"18446744073709551000"}]`},
		{"wrapped and moved on", func() {
			clock = clock.Add(10*time.Second + 250*time.Millisecond)
			h.write(R+"/mon_data/mon_L3_00/mbm_total_bytes", "1200\n")
			h.write(R+"/mon_data/mon_L3_00/mbm_local_bytes", "Unavailable\n")
		}, `[{"at":"2026-11-22T10:00:10.250Z","domain":"mon_L3_00","group":"/","llcOccupancyBytes":"4096","mbmLocalBytes":null,"mbmTotalBytes":"1200"}]`},
		{"a VNF group appears, a counter goes past u64", func() {
			clock = clock.Add(10 * time.Second)
			h.write(R+"/mon_groups/nfvdeck-vnf1/mon_data/mon_L3_01/llc_occupancy", "65536\n")
			h.write(R+"/mon_groups/nfvdeck-vnf1/mon_data/mon_L3_01/mbm_total_bytes", "18446744073709551616\n")
			h.write(R+"/mon_groups/nfvdeck-vnf1/mon_data/mon_L3_01/mbm_local_bytes", "Unassigned\n")
		}, `[{"at":"2026-11-22T10:00:20.250Z","domain":"mon_L3_00","group":"/","llcOccupancyBytes":"4096","mbmLocalBytes":null,"mbmTotalBytes":"1200"},` +
			`{"at":"2026-11-22T10:00:20.250Z","domain":"mon_L3_01","group":"mon_groups/nfvdeck-vnf1","llcOccupancyBytes":"65536","mbmLocalBytes":null,"mbmTotalBytes":null}]`},
		{"the group goes, the root's counter file too", func() {
			if err := os.RemoveAll(filepath.Join(h.root, R, "mon_groups/nfvdeck-vnf1")); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(h.root, R, "mon_data/mon_L3_00/llc_occupancy")); err != nil {
				t.Fatal(err)
			}
		}, `[{"at":"2026-11-22T10:00:20.250Z","domain":"mon_L3_00","group":"/","llcOccupancyBytes":null,"mbmLocalBytes":null,"mbmTotalBytes":"1200"}]`},
	}
	for _, step := range steps {
		step.apply()
		if got := take(); got != step.want {
			t.Errorf("%s:\n got %s\nwant %s", step.name, got, step.want)
		}
	}
}

func TestUnreadableTreeIsAnError(t *testing.T) {
	h := newHostTree(t)
	h.write(R+"/info/last_cmd_status", "ok\n")
	// a mon_data that cannot be listed (ELOOP: not "absent", a fault — as EACCES would be, even for root)
	if err := os.Symlink("mon_data", filepath.Join(h.root, R, "mon_data")); err != nil {
		t.Fatal(err)
	}
	s := NewSampler(h.fs(), nil)
	if _, err := s.TakeChecked(); err == nil {
		t.Error("an unlistable mon_data must be an error")
	}
	if got := s.Take(); got == nil || len(got) != 0 {
		t.Errorf("Take on error: %v, want empty", got)
	}
}

// go test -bench Take ./internal/qos: the cost of one heartbeat's take on a captured RDT host.
func BenchmarkTake(b *testing.B) {
	fs, err := hostfs.New(filepath.Join(fixtures, "ht-on-rdt"))
	if err != nil {
		b.Fatal(err)
	}
	s := NewSampler(fs, nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if len(s.Take()) != 8 {
			b.Fatal("expected 8 samples")
		}
	}
}
