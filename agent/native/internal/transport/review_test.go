package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
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

// The leaf's name is checked as node's tls.checkServerIdentity checks it (the TS agent's last step);
// the answers below are node 20's for the same host and certificate fields.
func TestHostnameCheckIsNodes(t *testing.T) {
	ca, caKey := makeCA(t, "nfvdeck test CA")
	pin := &PinnedTLS{Fingerprint: Fingerprint256(ca.Raw), ca: ca}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial := int64(100)
	leaf := func(cns []string, dns []string, ips []string) []byte {
		serial++
		tpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			DNSNames: dns, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
		}
		for _, cn := range cns {
			tpl.Subject.ExtraNames = append(tpl.Subject.ExtraNames, pkix.AttributeTypeAndValue{Type: oidCommonName, Value: cn})
		}
		for _, ip := range ips {
			tpl.IPAddresses = append(tpl.IPAddresses, net.ParseIP(ip))
		}
		der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &leafKey.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for _, tc := range []struct {
		host     string
		cns, dns []string
		ips      []string
		ok       bool
	}{
		{"srv.example", []string{"srv.example"}, nil, nil, true}, // CN only: Go's VerifyHostname refuses it
		{"srv.example", []string{"other"}, []string{"srv.example"}, nil, true},
		{"srv.example", []string{"srv.example"}, []string{"other.example"}, nil, false}, // a DNS SAN hides the CN
		{"srv.example", nil, []string{"*.example"}, nil, false},                         // *.tld: Go takes it
		{"srv.b.example", nil, []string{"s*.b.example"}, nil, true},
		{"srv.b.example", nil, []string{"*v.b.example"}, nil, true},
		{"srv.b.example", nil, []string{"*.b.example"}, nil, true},
		{"a.srv.b.example", nil, []string{"*.b.example"}, nil, false},
		{"srv.b.example", nil, []string{"xn--*.b.example"}, nil, false},
		{"srv.example", nil, []string{"srv.example."}, nil, true},
		{"SRV.Example.", nil, []string{"srv.EXAMPLE"}, nil, true},
		{"srv.example", []string{"srv.example"}, nil, []string{"10.0.0.1"}, true}, // IP SANs only: the CN counts
		{"10.0.0.1", []string{"10.0.0.1"}, nil, nil, false},
		{"10.0.0.1", nil, nil, []string{"10.0.0.1"}, true},
		{"10.0.0.1", nil, []string{"10.0.0.1"}, nil, false},
		{"::1", nil, nil, []string{"::1"}, true},
		{"srv.example", []string{"a", "srv.example"}, nil, nil, true},
		{"srv.example", nil, nil, nil, false},
		{"srv.example", nil, []string{"s**.example"}, nil, false},
	} {
		err := pin.verify([][]byte{leaf(tc.cns, tc.dns, tc.ips)}, tc.host, roots)
		if (err == nil) != tc.ok {
			t.Errorf("host %s, CN %q, DNS %q, IP %q: %v, node says ok=%v", tc.host, tc.cns, tc.dns, tc.ips, err, tc.ok)
		}
	}
}

// data.httpStatus decides as in classifyDeliveryError: a non-number is no status (retry, not the
// response's 400 that would drop the report); a huge number is still a server fault.
func TestErrorShapeStatusLikeTheTS(t *testing.T) {
	status, body := 0, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	c, err := New(Options{Server: srv.URL, HostToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status     int
		httpStatus string
		action     string
		fault      bool
	}{
		{400, `"400"`, "retry", false},
		{400, `null`, "reject", false},
		{400, `1e300`, "retry", true},
		{500, `-5`, "retry", false},
		{200, `500.5`, "retry", true},
	} {
		status = tc.status
		body = `{"error":{"json":{"message":"m","code":-32600,"data":{"code":"X","httpStatus":` + tc.httpStatus + `}}}}`
		_, err := c.Report(context.Background(), json.RawMessage(`{}`))
		f := ClassifyDeliveryError(err)
		if f.Action != tc.action || IsReportFault(f.Status) != tc.fault {
			t.Errorf("HTTP %d, httpStatus %s: %+v (fault %v)", tc.status, tc.httpStatus, f, IsReportFault(f.Status))
		}
	}
}

// Two agents must not draw the same backoff delays (Go 1.19's global math/rand has a fixed seed).
func TestBackoffDelaysDifferBetweenProcesses(t *testing.T) {
	if os.Getenv("NFVDECK_BACKOFF_CHILD") == "1" {
		for i := 0; i < 8; i++ {
			fmt.Println(FullJitterDelayMs(DefaultBackoff, 20, nil))
		}
		return
	}
	draw := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackoffDelaysDifferBetweenProcesses$")
		cmd.Env = append(os.Environ(), "NFVDECK_BACKOFF_CHILD=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if a, b := draw(), draw(); a == b {
		t.Fatalf("two processes drew the same delays:\n%s", a)
	}
}
