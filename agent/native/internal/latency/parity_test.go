package latency

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"nfvdeck/agent/internal/jsonx"
)

// testdata/parity.json holds the TypeScript agent's answers (agent/native/latency-parity.ts writes it,
// agent/native/latency-parity.test.ts fails when it is stale).
type parityFile struct {
	Parse []struct {
		Name   string          `json:"name"`
		File   string          `json:"file"`
		Input  *string         `json:"input"`
		Opts   json.RawMessage `json:"opts"`
		Result any             `json:"result"`
		Error  *struct {
			Message string   `json:"message"`
			Line    *float64 `json:"line"`
		} `json:"error"`
	} `json:"parse"`
	Args []struct {
		Request  map[string]any `json:"request"`
		JSONFile string         `json:"jsonFile"`
		Args     []string       `json:"args"`
	} `json:"args"`
	CpuLists []struct {
		List string    `json:"list"`
		Cpus []float64 `json:"cpus"`
	} `json:"cpuLists"`
	Cmdlines []struct {
		Cmdline string         `json:"cmdline"`
		Options map[string]any `json:"options"`
	} `json:"cmdlines"`
	Sanitize []struct {
		Input  string `json:"input"`
		Output string `json:"output"`
	} `json:"sanitize"`
	Allowed []struct {
		Status string `json:"status"`
		Cpus   []int  `json:"cpus"`
	} `json:"allowed"`
	Pinning []struct {
		Allowed  []int `json:"allowed"`
		Online   []int `json:"online"`
		Isolated []int `json:"isolated"`
		Decision struct {
			Action string `json:"action"`
			Cpus   []int  `json:"cpus"`
			Reason string `json:"reason"`
		} `json:"decision"`
	} `json:"pinning"`
	Runs []struct {
		Name string          `json:"name"`
		File string          `json:"file"`
		Opts json.RawMessage `json:"opts"`
		Meta struct {
			RunKey      string   `json:"runKey"`
			StartedAt   string   `json:"startedAt"`
			DurationS   float64  `json:"durationS"`
			Load        string   `json:"load"`
			Priority    *float64 `json:"priority"`
			IntervalUs  *float64 `json:"intervalUs"`
			Cmdline     *string  `json:"cmdline"`
			ToolVersion *string  `json:"toolVersion"`
		} `json:"meta"`
		Now string `json:"now"`
		Run any    `json:"run"`
	} `json:"runs"`
}

func loadParity(t *testing.T) parityFile {
	t.Helper()
	b, err := os.ReadFile("testdata/parity.json")
	if err != nil {
		t.Fatal(err)
	}
	var p parityFile
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Parse) < 40 || len(p.Runs) == 0 {
		t.Fatalf("parity file has %d parse cases, %d runs: regenerate it", len(p.Parse), len(p.Runs))
	}
	return p
}

func optionsOf(t *testing.T, raw json.RawMessage) ParseOptions {
	t.Helper()
	var o struct {
		Unit          string    `json:"unit"`
		Cmdline       *string   `json:"cmdline"`
		HistogramSize *float64  `json:"histogramSize"`
		Cpus          []float64 `json:"cpus"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return ParseOptions{Unit: o.Unit, Cmdline: o.Cmdline, HistogramSize: o.HistogramSize, Cpus: o.Cpus}
}

// plain round-trips a tree through the JSON encoder, so Go trees compare with decoded JSON.
func plain(t *testing.T, v any) any {
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

func fixtureText(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "cyclictest", file))
	if err != nil {
		t.Fatal(err)
	}
	return jsonx.DecodeUTF8(b)
}

func TestParseParity(t *testing.T) {
	p := loadParity(t)
	fixtures := map[string]bool{}
	for _, c := range p.Parse {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			text := ""
			if c.Input != nil {
				text = *c.Input
			} else {
				fixtures[c.File] = true
				text = fixtureText(t, c.File)
			}
			r, err := Parse(text, optionsOf(t, c.Opts))
			if c.Error != nil {
				pe, ok := err.(*ParseError)
				if !ok {
					t.Fatalf("want error %q, got %v (%T)", c.Error.Message, err, err)
				}
				wantLine := 0
				if c.Error.Line != nil {
					wantLine = int(*c.Error.Line)
				}
				if pe.Line != wantLine {
					t.Errorf("line %d, want %d (%s)", pe.Line, wantLine, pe.Error())
				}
				// V8's and Go's JSON syntax messages differ: only the part before them must agree
				if i := strings.Index(c.Error.Message, "invalid JSON: "); i >= 0 {
					if !strings.HasPrefix(pe.Error(), c.Error.Message[:i+len("invalid JSON: ")]) {
						t.Errorf("error %q, want it to start like %q", pe.Error(), c.Error.Message)
					}
				} else if pe.Error() != c.Error.Message {
					t.Errorf("error %q\nwant      %q", pe.Error(), c.Error.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got := plain(t, r.Tree()); !reflect.DeepEqual(got, c.Result) {
				gb, _ := json.Marshal(got)
				wb, _ := json.Marshal(c.Result)
				t.Errorf("result differs\n got %.600s\nwant %.600s", gb, wb)
			}
		})
	}
	entries, _ := os.ReadDir(filepath.Join("..", "..", "..", "fixtures", "cyclictest"))
	for _, e := range entries {
		if n := e.Name(); (strings.HasSuffix(n, ".txt") || strings.HasSuffix(n, ".json")) && !fixtures[n] {
			t.Errorf("fixture %s has no parity case: regenerate testdata/parity.json", n)
		}
	}
}

func TestHelpersParity(t *testing.T) {
	p := loadParity(t)
	for _, c := range p.Args {
		req, err := RequestFromSchedule(c.Request, "")
		if err != nil {
			t.Fatalf("%v: %v", c.Request, err)
		}
		if hk, ok := c.Request["housekeeping"].(string); ok {
			req.Housekeeping = hk
		}
		if v, ok := c.Request["nsecs"].(bool); ok {
			req.Nsecs = v
		}
		if v, ok := c.Request["lockMemory"].(bool); ok {
			req.LockMemory = v
		}
		if got := BuildArgs(req, c.JSONFile); !reflect.DeepEqual(got, c.Args) {
			t.Errorf("args %q, want %q", got, c.Args)
		}
	}
	for _, c := range p.CpuLists {
		if got := ExpandCpuList(c.List); !reflect.DeepEqual(got, c.Cpus) {
			t.Errorf("ExpandCpuList(%q) = %v, want %v", c.List, got, c.Cpus)
		}
	}
	for _, c := range p.Cmdlines {
		o := ParseCmdline(c.Cmdline)
		got := plain(t, map[string]any{
			"histogramSize": optNumber(o.HistogramSize), "nsecs": o.Nsecs, "priority": optNumber(o.Priority),
			"intervalUs": optNumber(o.IntervalUs), "threads": optNumber(o.Threads), "affinity": optString(o.Affinity),
			"mainAffinity": optString(o.MainAffinity), "durationS": optNumber(o.DurationS),
		})
		if !reflect.DeepEqual(got, plain(t, c.Options)) {
			t.Errorf("ParseCmdline(%q) = %v, want %v", c.Cmdline, got, c.Options)
		}
	}
	for _, c := range p.Sanitize {
		if got := SanitizeJSON(c.Input); got != c.Output {
			t.Errorf("SanitizeJSON(%q) = %q, want %q", c.Input, got, c.Output)
		}
	}
	for _, c := range p.Allowed {
		got, ok := ParseCpusAllowedList(c.Status)
		if ok != (c.Cpus != nil) || (ok && !reflect.DeepEqual(got, c.Cpus)) {
			t.Errorf("ParseCpusAllowedList(%q) = %v %v, want %v", c.Status, got, ok, c.Cpus)
		}
	}
	for _, c := range p.Pinning {
		d := DecidePinning(c.Allowed, c.Online, c.Isolated)
		if d.Action != c.Decision.Action || d.Reason != c.Decision.Reason || (d.Action == "pin" && !reflect.DeepEqual(d.Cpus, c.Decision.Cpus)) {
			t.Errorf("DecidePinning(%v, %v, %v) = %+v, want %+v", c.Allowed, c.Online, c.Isolated, d, c.Decision)
		}
	}
}

func TestToLatencyRunParity(t *testing.T) {
	p := loadParity(t)
	for _, c := range p.Runs {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			r, err := Parse(fixtureText(t, c.File), optionsOf(t, c.Opts))
			if err != nil {
				t.Fatal(err)
			}
			started, _ := time.Parse(time.RFC3339Nano, c.Meta.StartedAt)
			now, _ := time.Parse(time.RFC3339Nano, c.Now)
			run, err := ToLatencyRun(r, RunMeta{
				RunKey: c.Meta.RunKey, StartedAt: started, DurationS: c.Meta.DurationS, Load: c.Meta.Load,
				Priority: c.Meta.Priority, IntervalUs: c.Meta.IntervalUs, Cmdline: c.Meta.Cmdline, ToolVersion: c.Meta.ToolVersion,
			}, now)
			if c.Run == nil {
				if err == nil {
					t.Fatalf("the TS agent refuses this run; Go accepted %v", run)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := plain(t, run); !reflect.DeepEqual(got, c.Run) {
				t.Errorf("run differs\n got %v\nwant %v", got, c.Run)
			}
		})
	}
}
