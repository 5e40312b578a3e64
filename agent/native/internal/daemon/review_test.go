package daemon

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A server heartbeat past a day is clamped: 1e10 s as a time.Duration overflows to a negative delay,
// i.e. a collection loop without pause.
func TestServerHeartbeatIsBounded(t *testing.T) {
	for _, tc := range []struct {
		seconds float64
		wantMs  int
	}{{1e10, 86_400_000}, {0.001, 1000}} {
		srv := &fakeServer{}
		srv.config.Config.HeartbeatSeconds = tc.seconds
		d := newDaemon(t, t.TempDir(), srv, func(o *Options) { o.HeartbeatMs = 0 })
		srv.waitFor(t, 1)
		deadline := time.Now().Add(3 * time.Second)
		for d.Status().HeartbeatMs == defaultHeartbeatMs && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		d.Stop()
		if got := d.Status().HeartbeatMs; got != tc.wantMs {
			t.Errorf("heartbeatSeconds %v: heartbeat %d ms, want %d", tc.seconds, got, tc.wantMs)
		}
	}
}

// A schedule whose everyMinutes is not the contract's (0 here) is not taken: it would start a
// cyclictest at every heartbeat.
func TestLatencyScheduleWithoutAUsableIntervalIsIgnored(t *testing.T) {
	for _, every := range []any{0.0, nil, "5", 1e300} {
		srv := &fakeServer{}
		srv.config.Config.HeartbeatSeconds = 10
		srv.config.Config.LatencySchedule = map[string]any{"cpus": "2-3", "durationS": 1.0}
		if every != nil {
			srv.config.Config.LatencySchedule["everyMinutes"] = every
		}
		var runs int32
		d := newDaemon(t, t.TempDir(), srv, func(o *Options) {
			o.RunLatency = func(context.Context, map[string]any, string, string) (map[string]any, error) {
				atomic.AddInt32(&runs, 1)
				return map[string]any{}, nil
			}
		})
		srv.waitFor(t, 6)
		d.Stop()
		if n := atomic.LoadInt32(&runs); n != 0 {
			t.Errorf("everyMinutes %v: %d cyclictest run(s) started", every, n)
		}
	}
}

// Stop returns only once a running scheduled measurement has ended (its child interrupted and reaped).
func TestStopWaitsForTheRunningLatencyRun(t *testing.T) {
	srv := &fakeServer{}
	srv.config.Config.HeartbeatSeconds = 10
	srv.config.Config.LatencySchedule = map[string]any{"cpus": "2-3", "everyMinutes": 60.0, "durationS": 1.0}
	started := make(chan struct{})
	var once sync.Once
	var finished int32
	d := newDaemon(t, t.TempDir(), srv, func(o *Options) {
		o.RunLatency = func(ctx context.Context, _ map[string]any, _, _ string) (map[string]any, error) {
			once.Do(func() { close(started) })
			<-ctx.Done()
			time.Sleep(100 * time.Millisecond) // the child's SIGINT handling and exit
			atomic.StoreInt32(&finished, 1)
			return nil, ctx.Err()
		}
	})
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the scheduled run never started")
	}
	d.Stop()
	if atomic.LoadInt32(&finished) != 1 {
		t.Fatal("Stop returned while the latency run was still going")
	}
}

// A panic outside the collectors (here the QoS sampler, once) costs that cycle's report, not the agent;
// a panicking latency run is logged and the daemon goes on.
func TestAPanicInACycleOrALatencyRunDoesNotEndTheAgent(t *testing.T) {
	srv := &fakeServer{}
	srv.config.Config.HeartbeatSeconds = 10
	srv.config.Config.LatencySchedule = map[string]any{"cpus": "2-3", "everyMinutes": 60.0, "durationS": 1.0}
	var takes, runs int32
	var logMu sync.Mutex
	var lines []string
	d := newDaemon(t, t.TempDir(), srv, func(o *Options) {
		o.TakeQosSamples = func() []map[string]any {
			if atomic.AddInt32(&takes, 1) == 2 {
				panic("sampler bug")
			}
			return nil
		}
		o.RunLatency = func(context.Context, map[string]any, string, string) (map[string]any, error) {
			atomic.AddInt32(&runs, 1)
			panic("parser bug")
		}
		o.Log = func(line string) {
			logMu.Lock()
			lines = append(lines, line)
			logMu.Unlock()
		}
	})
	srv.waitFor(t, 5)
	d.Stop()
	logMu.Lock()
	defer logMu.Unlock()
	var cycleLogged, runLogged bool
	for _, l := range lines {
		cycleLogged = cycleLogged || l == "nfvdeck-agent: collection cycle failed: panic: sampler bug"
		runLogged = runLogged || l == "nfvdeck-agent: scheduled latency run failed: panic: parser bug"
	}
	if !cycleLogged || atomic.LoadInt32(&runs) != 1 || !runLogged {
		t.Fatalf("runs %d, log %q", atomic.LoadInt32(&runs), lines)
	}
}
