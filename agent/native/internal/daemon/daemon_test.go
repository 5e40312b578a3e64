package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/spool"
	"nfvdeck/agent/internal/state"
	"nfvdeck/agent/internal/transport"
)

// fakeServer records what it is sent; fail decides per call whether to answer with an error.
type fakeServer struct {
	mu       sync.Mutex
	payloads []map[string]any
	fail     func(seq int64) error
	config   transport.ReportOutput
}

func (f *fakeServer) Report(_ context.Context, payload json.RawMessage) (*transport.ReportOutput, error) {
	var p map[string]any
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(int64(p["sequence"].(float64))); err != nil {
			return nil, err
		}
	}
	f.payloads = append(f.payloads, p)
	out := f.config
	return &out, nil
}

func (f *fakeServer) sequences() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []int64{}
	for _, p := range f.payloads {
		out = append(out, int64(p["sequence"].(float64)))
	}
	return out
}

func (f *fakeServer) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(f.sequences()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d reports delivered", len(f.sequences()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func fixtureFS(t *testing.T) *hostfs.FS {
	fs, err := hostfs.New("../../../fixtures/kvm4nfv-baseline")
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

const hostID = "6f1c2f7e-0000-4000-8000-000000000001"

func newDaemon(t *testing.T, dir string, srv *fakeServer, mod func(*Options)) *Daemon {
	opts := Options{
		StateDir: dir, FS: fixtureFS(t),
		Credentials: state.Credentials{HostID: hostID, HostToken: "t", Server: "http://127.0.0.1:1"},
		API:         func() (Reporter, error) { return srv, nil },
		HeartbeatMs: 20, Backoff: &transport.BackoffPolicy{BaseMs: 1, MaxMs: 5},
		Log: func(string) {}, RSS: func() int64 { return 4096 },
	}
	if mod != nil {
		mod(&opts)
	}
	d := New(opts)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReportsCarrySequenceKeyAndAllSectionsFirst(t *testing.T) {
	dir := t.TempDir()
	srv := &fakeServer{}
	d := newDaemon(t, dir, srv, nil)
	srv.waitFor(t, 3)
	// A report built before the first one was delivered re-sends its sections (nothing is known to be on
	// the server yet); under load that can be the second or third. Wait for the first without sections.
	quiet := func() int {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for i, p := range srv.payloads[1:] {
			if len(p["sections"].(map[string]any)) == 0 {
				return i + 1
			}
		}
		return -1
	}
	deadline := time.Now().Add(10 * time.Second)
	for quiet() < 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	d.Stop()
	first := srv.payloads[0]
	if first["hostId"] != hostID || first["idempotencyKey"] != hostID+":0" || first["sequence"] != 0.0 || first["agentVersion"] != "0.1.0" {
		t.Fatalf("first report %v", first)
	}
	if got := len(first["sections"].(map[string]any)); got != 9 {
		t.Fatalf("first report has %d sections, want every one", got)
	}
	hb := first["heartbeat"].(map[string]any)
	if hb["agentRssBytes"] != 4096.0 || len(hb["loadavg"].([]any)) != 3 || hb["spoolDropped"] != 0.0 {
		t.Fatalf("heartbeat %v", hb)
	}
	// the tree does not change: once the first report is delivered, later reports carry no section; any
	// earlier re-send carries exactly the first report's sections
	k := quiet()
	if k < 0 {
		t.Fatalf("every one of %d reports re-sent the unchanged sections", len(srv.payloads))
	}
	// a re-send is the same content: same sections with the same ok/available/hash (durationMs is per collection)
	identity := func(p map[string]any) map[string]string {
		out := map[string]string{}
		for name, e := range p["sections"].(map[string]any) {
			env := e.(map[string]any)
			out[name] = fmt.Sprint(env["ok"], env["available"], env["hash"])
		}
		return out
	}
	for i, p := range srv.payloads[1:k] {
		if !reflect.DeepEqual(identity(p), identity(first)) {
			t.Fatalf("report %d re-sent sections that differ from the first report's", i+1)
		}
	}
	for i, p := range srv.payloads[k:] {
		if got := len(p["sections"].(map[string]any)); got != 0 {
			t.Fatalf("report %d re-sent %d unchanged sections after a report without any", k+i, got)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "sequence"))
	if string(b) != "999\n" {
		t.Fatalf("sequence file %q, want the reserved block's end", b)
	}
}

func TestRestartContinuesAfterTheReservedBlock(t *testing.T) {
	dir := t.TempDir()
	srv := &fakeServer{}
	d := newDaemon(t, dir, srv, nil)
	srv.waitFor(t, 2)
	d.Stop()
	spooled := d.Status().Spooled // a report spooled at stop is delivered by the next run
	before := srv.sequences()
	d2 := newDaemon(t, dir, srv, nil)
	srv.waitFor(t, len(before)+spooled+2)
	d2.Stop()
	all := srv.sequences()
	for i := 1; i < len(all); i++ {
		if all[i] <= all[i-1] {
			t.Fatalf("sequence reused or out of order: %v", all)
		}
	}
	if after := all[len(before)+spooled]; after != 1000 {
		t.Fatalf("after restart sequence %d, want 1000 (%v)", after, all)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "sequence")); string(b) != "1999\n" {
		t.Fatalf("sequence file %q", b)
	}
	// a lost sequence file: the spool's highest sequence still prevents reuse
	os.Remove(filepath.Join(dir, "sequence"))
	sp, _ := spool.Open(filepath.Join(dir, "spool"), spool.DefaultLimits)
	sp.Append(5000, []byte(`{"sequence":5000,"sections":{}}`))
	n := len(srv.sequences()) + d2.Status().Spooled
	d3 := newDaemon(t, dir, srv, nil)
	srv.waitFor(t, n+2)
	d3.Stop()
	seqs := srv.sequences()
	at := -1
	for i, q := range seqs {
		if q == 5000 {
			at = i
		}
	}
	if at < 0 || at+1 >= len(seqs) || seqs[at+1] != 5001 {
		t.Fatalf("after a lost sequence file: %v", seqs)
	}
}

func TestOutageSpoolsAndDeliversInOrderWithTheSameKeys(t *testing.T) {
	dir := t.TempDir()
	down := true
	var mu sync.Mutex
	srv := &fakeServer{fail: func(int64) error {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return &transport.CallError{Message: "connection refused"}
		}
		return nil
	}}
	d := newDaemon(t, dir, srv, nil)
	deadline := time.Now().Add(5 * time.Second)
	for d.Status().Spooled < 4 {
		if time.Now().After(deadline) {
			t.Fatal("reports were not spooled during the outage")
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	srv.waitFor(t, 6)
	d.Stop()
	seqs := srv.sequences()
	for i, s := range seqs {
		if s != int64(i) {
			t.Fatalf("delivered out of order or with gaps: %v", seqs)
		}
		if srv.payloads[i]["idempotencyKey"] != hostID+":"+jsonNumber(s) {
			t.Fatalf("key %v", srv.payloads[i]["idempotencyKey"])
		}
	}
	if len(srv.payloads[0]["sections"].(map[string]any)) != 9 {
		t.Fatal("the first (spooled) report lost its sections")
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestReportFaultIsSetAsideAndRejectDropped(t *testing.T) {
	dir := t.TempDir()
	calls := map[int64]int{}
	srv := &fakeServer{fail: func(seq int64) error {
		calls[seq]++
		switch seq {
		case 0:
			return &transport.CallError{Status: 500, Message: "internal"}
		case 1:
			return &transport.CallError{Status: 400, Message: "invalid"}
		case 2:
			if calls[seq] < 3 {
				return &transport.CallError{Status: 503, Message: "away"}
			}
		}
		return nil
	}}
	d := newDaemon(t, dir, srv, func(o *Options) { o.MaxServerErrorTries = 3 })
	srv.waitFor(t, 2)
	d.Stop()
	if seqs := srv.sequences(); seqs[0] != 2 || seqs[1] != 3 {
		t.Fatalf("delivered %v", seqs)
	}
	if calls[0] != 3 || calls[1] != 1 || calls[2] != 3 {
		t.Fatalf("tries %v (a 503 must never set a report aside)", calls)
	}
	st := d.Status()
	if st.SetAside != 1 || st.Rejected != 1 {
		t.Fatalf("status %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "spool", "set-aside", "0000000000000000.json")); err != nil {
		t.Fatal(err)
	}
	// the next heartbeats tell the server
	last := srv.payloads[len(srv.payloads)-1]["heartbeat"].(map[string]any)
	if last["setAside"] != 1.0 || last["rejected"] != 1.0 {
		t.Fatalf("heartbeat %v", last)
	}
	// the sections of the set-aside report are still sent: report 2 was never told they were delivered
	if len(srv.payloads[0]["sections"].(map[string]any)) == 0 {
		t.Fatal("the sections of the set-aside report were lost")
	}
}

func TestServerConfigSetsHeartbeat(t *testing.T) {
	srv := &fakeServer{}
	srv.config.Config.HeartbeatSeconds = 3
	d := newDaemon(t, t.TempDir(), srv, func(o *Options) { o.HeartbeatMs = 0 })
	srv.waitFor(t, 1)
	deadline := time.Now().Add(3 * time.Second)
	for d.Status().HeartbeatMs != 3000 {
		if time.Now().After(deadline) {
			t.Fatalf("heartbeat %d", d.Status().HeartbeatMs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d.Stop()
}

func TestLatencyScheduleRunsOnceAndItsRunRidesAReport(t *testing.T) {
	srv := &fakeServer{}
	srv.config.Config.HeartbeatSeconds = 10
	srv.config.Config.LatencySchedule = map[string]any{"cpus": "2-3", "everyMinutes": 60.0, "durationS": 1.0}
	var mu sync.Mutex
	runs := 0
	d := newDaemon(t, t.TempDir(), srv, func(o *Options) {
		o.HousekeepingCpus = "0"
		o.RunLatency = func(_ context.Context, s map[string]any, hk, key string) (map[string]any, error) {
			mu.Lock()
			runs++
			mu.Unlock()
			if hk != "0" || len(key) != 36 || s["cpus"] != "2-3" {
				return nil, errors.New("bad arguments")
			}
			return map[string]any{"runKey": key, "note": "a\x00b"}, nil
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	var run map[string]any
	for run == nil {
		if time.Now().After(deadline) {
			t.Fatal("no report carried the latency run")
		}
		time.Sleep(5 * time.Millisecond)
		srv.mu.Lock()
		for _, p := range srv.payloads {
			if rs := p["latencyRuns"].([]any); len(rs) > 0 {
				run = rs[0].(map[string]any)
			}
		}
		srv.mu.Unlock()
	}
	srv.waitFor(t, len(srv.sequences())+3)
	d.Stop()
	if run["note"] != "ab" {
		t.Fatalf("latency run text not cleaned: %q", run["note"])
	}
	mu.Lock()
	defer mu.Unlock()
	if runs != 1 {
		t.Fatalf("%d runs for a schedule every 60 min", runs)
	}
}

func TestExplicitHeartbeatWinsOverTheServer(t *testing.T) {
	srv := &fakeServer{}
	srv.config.Config.HeartbeatSeconds = 3
	d := newDaemon(t, t.TempDir(), srv, nil)
	srv.waitFor(t, 2)
	d.Stop()
	if d.Status().HeartbeatMs != 20 {
		t.Fatalf("heartbeat %d", d.Status().HeartbeatMs)
	}
}

func TestSelectSections(t *testing.T) {
	a := map[string]any{"ok": true, "available": true, "hash": "a"}
	b := map[string]any{"ok": true, "available": true, "hash": "b"}
	cur := map[string]any{"kernel": a}
	if len(SelectSections(cur, map[string]string{"kernel": signature(a)}, map[string]string{"kernel": signature(a)}, false)) != 0 {
		t.Fatal("unchanged section sent")
	}
	if len(SelectSections(cur, map[string]string{"kernel": signature(a)}, map[string]string{"kernel": signature(b)}, false)) != 1 {
		t.Fatal("A→B→A: A not sent after the queued B")
	}
	if len(SelectSections(cur, map[string]string{"kernel": signature(a)}, map[string]string{"kernel": signature(a)}, true)) != 1 {
		t.Fatal("full report without the section")
	}
	if signature(map[string]any{"ok": false, "available": true, "hash": "a"}) == signature(a) {
		t.Fatal("ok flag not in the signature")
	}
}
