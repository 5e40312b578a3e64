package jobs

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"
)

// instantNull answers every poll at once with no job, as a server that does not long-poll would.
type instantNull struct{ calls int32 }

func (a *instantNull) Call(_ context.Context, _ string, _ any, out any) error {
	atomic.AddInt32(&a.calls, 1)
	return json.Unmarshal([]byte(`{"job":null}`), out)
}

// A server that answers empty polls at once must not get a poll loop without pause.
func TestEmptyPollsAnsweredAtOnceAreSpaced(t *testing.T) {
	api := &instantNull{}
	l := &Loop{API: api, StateDir: t.TempDir(), Stderr: &lockedWriter{}}
	l.Start()
	time.Sleep(1500 * time.Millisecond)
	l.Stop()
	// a poll at 0 s and one at 1 s; without the spacing it is thousands
	if n := atomic.LoadInt32(&api.calls); n < 1 || n > 3 {
		t.Fatalf("%d polls in 1.5 s", n)
	}
}
