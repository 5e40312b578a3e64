package transport

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// A redirect must not carry the token (nor the report) to another place: node:http never follows one.
func TestCallDoesNotFollowRedirects(t *testing.T) {
	var reached int32
	var gotAuth atomic.Value
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(&reached, 1)
		gotAuth.Store(r.Header.Get("authorization"))
		w.Write([]byte(`{"result":{"data":{"json":{}}}}`))
	}))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer origin.Close()
	c, err := New(Options{Server: origin.URL, HostToken: "secret-token"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Report(context.Background(), json.RawMessage(`{"sequence":1}`))
	if n := atomic.LoadInt32(&reached); n != 0 {
		t.Fatalf("the redirect was followed (%d request(s), authorization %q)", n, gotAuth.Load())
	}
	if f := ClassifyDeliveryError(err); err == nil || f.Status != http.StatusTemporaryRedirect || f.Action != "retry" {
		t.Fatalf("a 307 answer: %v %+v", err, f)
	}
}

// A 2xx answer is a stored report even when its config has a wrong shape: Report must not fail (the
// daemon would resend that report forever); the problem is said in ConfigProblem.
func TestReportAnswerWithAWrongConfigShapeIsDelivered(t *testing.T) {
	answer := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"result":{"data":{"json":` + answer + `}}}`))
	}))
	defer srv.Close()
	c, err := New(Options{Server: srv.URL, HostToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ answer, problem string }{
		{`{"stored":true,"duplicate":false,"sectionsChanged":[],"config":{"heartbeatSeconds":7,"latencySchedule":null}}`, ""},
		{`{"stored":true,"duplicate":false,"sectionsChanged":[],"config":{"heartbeatSeconds":"10","latencySchedule":null}}`, "config.heartbeatSeconds is not a number"},
		{`{"stored":true,"duplicate":false,"sectionsChanged":[],"config":{"heartbeatSeconds":10,"latencySchedule":[1]}}`, "config.latencySchedule is neither an object nor null"},
		{`{"stored":true,"duplicate":false,"sectionsChanged":[],"config":{"heartbeatSeconds":10}}`, "config.latencySchedule is neither an object nor null"},
		{`{"stored":true,"duplicate":false,"sectionsChanged":"kernel","config":{"heartbeatSeconds":1e999,"latencySchedule":null}}`, "config.heartbeatSeconds is not a number"},
		{`{"stored":true}`, "config is not an object"},
		{`[]`, "the answer is not an object"},
		{`null`, "config is not an object"},
	} {
		answer = tc.answer
		out, err := c.Report(context.Background(), json.RawMessage(`{}`))
		if err != nil {
			t.Errorf("%s: %v", tc.answer, err)
			continue
		}
		if out.ConfigProblem != tc.problem {
			t.Errorf("%s: problem %q, want %q", tc.answer, out.ConfigProblem, tc.problem)
		}
	}
}
