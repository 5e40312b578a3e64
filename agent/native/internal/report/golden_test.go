package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

// The TypeScript agent's golden reports (agent/report/golden.test.ts) are the reference: the Go agent
// must build the same report from every captured tree, section by section (durations zeroed).
const fixtures = "../../../fixtures"

func hostTrees(t *testing.T) []string {
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	var trees []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, p := range []string{"sys", "proc", "expected-report.json"} {
			if _, err := os.Stat(filepath.Join(fixtures, e.Name(), p)); err == nil {
				trees = append(trees, e.Name())
				break
			}
		}
	}
	sort.Strings(trees)
	return trees
}

// roundTrip turns a Go value into what encoding/json decodes from its JSON text (float64 numbers,
// map[string]any objects), so it compares with the expected file's decoded form.
func roundTrip(t *testing.T, v any) any {
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

func TestGolden(t *testing.T) {
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	trees := hostTrees(t)
	if len(trees) < 6 {
		t.Fatalf("found %d fixture trees: %v", len(trees), trees)
	}
	for _, tree := range trees {
		tree := tree
		t.Run(tree, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(fixtures, tree, "expected-report.json"))
			if err != nil {
				t.Fatal(err)
			}
			var expected map[string]any
			if err := json.Unmarshal(raw, &expected); err != nil {
				t.Fatal(err)
			}
			fs, err := hostfs.New(filepath.Join(fixtures, tree))
			if err != nil {
				t.Fatal(err)
			}
			c := NewCollecting()
			report := roundTrip(t, c.BuildLocalReport(fs, fixed)).(map[string]any)
			for _, key := range []string{"collectedAt", "agentVersion", "hostname"} {
				if report[key] != expected[key] {
					t.Errorf("%s: got %v, want %v", key, report[key], expected[key])
				}
			}
			got := report["sections"].(map[string]any)
			want := expected["sections"].(map[string]any)
			if len(got) != len(want) {
				t.Errorf("sections: got %d, want %d", len(got), len(want))
			}
			for _, col := range SectionCollectors {
				name := col.Name
				t.Run(name, func(t *testing.T) {
					g, _ := got[name].(map[string]any)
					w, _ := want[name].(map[string]any)
					if g == nil || w == nil {
						t.Fatalf("section missing: got %v, want %v", g != nil, w != nil)
					}
					g["durationMs"] = 0.0
					if !reflect.DeepEqual(g, w) {
						gb, _ := jsonx.MarshalIndent(g, "  ")
						wb, _ := jsonx.MarshalIndent(w, "  ")
						t.Errorf("section %s differs from the TypeScript agent's golden report\n--- got\n%s\n--- want\n%s", name, clip(gb), clip(wb))
					}
				})
			}
		})
	}
}

func clip(b []byte) string {
	if len(b) > 6000 {
		return string(b[:6000]) + "\n…"
	}
	return string(b)
}
