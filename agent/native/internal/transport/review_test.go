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
