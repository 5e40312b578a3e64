package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func payload(seq int64, static bool, runs int) []byte {
	sections := "{}"
	if static {
		sections = `{"kernel":{"ok":true,"available":true,"hash":"h","durationMs":1,"data":{}}}`
	}
	r := make([]string, runs)
	for i := range r {
		r[i] = `{"runKey":"k"}`
	}
	return []byte(fmt.Sprintf(`{"sequence":%d,"sections":%s,"latencyRuns":[%s],"qosSamples":[]}`, seq, sections, strings.Join(r, ",")))
}

func TestAppendRemoveReopenInOrder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s, err := Open(dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range []int64{3, 7, 12} {
		if _, err := s.Append(seq, payload(seq, seq == 3, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Append(12, payload(12, false, 0)); err == nil {
		t.Fatal("a sequence not after the last was accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "0000000000000007.json")); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(3); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "0000000000000020.json"), []byte(`{"torn`), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(`x`), 0o600)
	r, err := Open(dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Sequences(); !reflect.DeepEqual(got, []int64{7, 12}) || r.LastSequence() != 12 {
		t.Fatalf("reopened %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "0000000000000020.json.corrupt")); err != nil {
		t.Fatal("torn file not set aside as .corrupt")
	}
	e, _ := r.Oldest()
	b, _ := r.Read(e)
	if string(b) != string(payload(7, false, 0)) || e.Bytes != int64(len(b)) {
		t.Fatalf("read %s", b)
	}
}

func TestEvictionPrefersReportsWithoutStaticSections(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Limits{MaxFiles: 3, MaxBytes: 1 << 20})
	s.Append(1, payload(1, true, 0))
	s.Append(2, payload(2, false, 2))
	s.Append(3, payload(3, true, 0))
	evicted, err := s.Append(4, payload(4, false, 0))
	if err != nil || len(evicted) != 1 || evicted[0].Sequence != 2 {
		t.Fatalf("evicted %v %v", evicted, err)
	}
	if s.TakeStaticDropped() {
		t.Fatal("static dropped without a static eviction")
	}
	// 1 static, 3 static, 4 plain: the plain one goes first
	s.Append(5, payload(5, true, 0))
	if got := s.Sequences(); !reflect.DeepEqual(got, []int64{1, 3, 5}) {
		t.Fatalf("%v", got)
	}
	// now only static ones: the oldest goes, and the caller is told once
	s.Append(6, payload(6, true, 1))
	if got := s.Sequences(); !reflect.DeepEqual(got, []int64{3, 5, 6}) || !s.TakeStaticDropped() || s.TakeStaticDropped() {
		t.Fatalf("%v", got)
	}
	want := Dropped{Reports: 3, StaticReports: 1, LatencyRuns: 2}
	if s.DroppedCounts() != want {
		t.Fatalf("%+v", s.DroppedCounts())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "dropped.json"))
	if string(b) != `{"reports":3,"staticReports":1,"latencyRuns":2,"qosSamples":0}`+"\n" {
		t.Fatalf("dropped.json %s", b)
	}
	r, _ := Open(dir, Limits{MaxFiles: 3, MaxBytes: 1 << 20})
	if r.DroppedCounts() != want {
		t.Fatalf("reopened %+v", r.DroppedCounts())
	}
}

func TestByteBound(t *testing.T) {
	s, _ := Open(t.TempDir(), Limits{MaxFiles: 100, MaxBytes: int64(2*len(payload(1, false, 0)) + 1)})
	for seq := int64(1); seq <= 4; seq++ {
		s.Append(seq, payload(seq, false, 0))
	}
	if got := s.Sequences(); !reflect.DeepEqual(got, []int64{3, 4}) || s.Bytes() > s.Limits.MaxBytes {
		t.Fatalf("%v %d", got, s.Bytes())
	}
}

func TestSetAside(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, DefaultLimits)
	s.Append(1, payload(1, true, 0))
	s.Append(2, payload(2, false, 0))
	dest, err := s.SetAsideReport(1)
	if err != nil || dest != filepath.Join(dir, "set-aside", "0000000000000001.json") {
		t.Fatalf("%s %v", dest, err)
	}
	if d, _ := s.SetAsideReport(99); d != "" {
		t.Fatal("unknown sequence set aside")
	}
	b, _ := os.ReadFile(filepath.Join(dir, "set-aside.json"))
	if string(b) != "{\"reports\":1}\n" {
		t.Fatalf("%s", b)
	}
	r, _ := Open(dir, DefaultLimits)
	if r.SetAside() != 1 || !reflect.DeepEqual(r.Sequences(), []int64{2}) {
		t.Fatalf("%d %v", r.SetAside(), r.Sequences())
	}
	for seq := int64(3); seq < 3+maxSetAsideFiles+2; seq++ {
		r.Append(seq, payload(seq, false, 0))
		r.SetAsideReport(seq)
	}
	names, _ := os.ReadDir(filepath.Join(dir, "set-aside"))
	if len(names) != maxSetAsideFiles || r.SetAside() != int64(maxSetAsideFiles+3) {
		t.Fatalf("%d files, %d counted", len(names), r.SetAside())
	}
}
