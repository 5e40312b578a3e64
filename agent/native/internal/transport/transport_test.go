package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestBackoffFullJitter(t *testing.T) {
	p := BackoffPolicy{BaseMs: 500, MaxMs: 60_000}
	cases := []struct {
		attempt int
		r       float64
		want    int64
	}{
		{0, 0, 0}, {0, 0.5, 250}, {1, 0.5, 500}, {3, 0.999, 3996}, {7, 0.5, 30_000}, {8, 0.5, 30_000},
		{2000, 0.5, 30_000}, {0, 1, 499}, {0, -3, 0}, {4, 2, 7999},
	}
	for _, c := range cases {
		if got := FullJitterDelayMs(p, c.attempt, func() float64 { return c.r }); got != c.want {
			t.Errorf("attempt %d r %v: %d, want %d", c.attempt, c.r, got, c.want)
		}
	}
	if got := BackoffCeilingMs(p, -1); got != 500 {
		t.Errorf("negative attempt ceiling %v", got)
	}
}

func TestTransportProblem(t *testing.T) {
	for server, ok := range map[string]bool{
		"http://127.0.0.1:3001": true, "http://localhost:1": true, "http://[::1]:3": true,
		"http://10.0.0.1:3001": false, "https://x.example": false, "ftp://127.0.0.1": false,
	} {
		if got := TransportProblem(server, false) == ""; got != ok {
			t.Errorf("%s: allowed %v, want %v", server, got, ok)
		}
	}
	if TransportProblem("https://x.example", true) != "" {
		t.Error("pinned https refused")
	}
}

func TestNormaliseFingerprint(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	want := strings.TrimSuffix(strings.Repeat("AB:", 32), ":")
	for _, in := range []string{hex, "sha256:" + hex, "SHA256=" + want, " " + want + " "} {
		if got := NormaliseFingerprint(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	if NormaliseFingerprint("abc") != "" {
		t.Error("short accepted")
	}
}

type testPKI struct {
	caPEM   string
	caFP    string
	leaf    tls.Certificate
	otherCA string
	otherFP string
}

func makeCA(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func newPKI(t *testing.T) testPKI {
	ca, caKey := makeCA(t, "nfvdeck test CA")
	other, _ := makeCA(t, "another CA")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "agent port"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(c *x509.Certificate) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return testPKI{
		caPEM: pemOf(ca), caFP: Fingerprint256(ca.Raw), otherCA: pemOf(other), otherFP: Fingerprint256(other.Raw),
		leaf: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
	}
}

func tlsServer(t *testing.T, leaf tls.Certificate, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func okHandler(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, `{"result":{"data":{"json":{"ok":true}}}}`)
}

func TestPinnedTLSAcceptsOnlyTheChainToThePin(t *testing.T) {
	pki := newPKI(t)
	srv := tlsServer(t, pki.leaf, okHandler)
	server := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	call := func(caPEM, fp, server string) error {
		pin, err := NewPinnedTLS(caPEM, fp)
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(Options{Server: server, HostToken: "t", TLS: pin, TimeoutMs: 5000})
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		return c.Call(context.Background(), "agent.x", map[string]any{}, &out)
	}
	if err := call(pki.caPEM, pki.caFP, server); err != nil {
		t.Fatalf("pinned CA refused: %v", err)
	}
	if err := call(pki.caPEM, pki.caFP, srv.URL); err != nil {
		t.Fatalf("pinned CA refused on the IP SAN: %v", err)
	}
	err := call(pki.otherCA, pki.otherFP, server)
	if err == nil || !strings.Contains(err.Error(), "pinned CA") {
		t.Fatalf("a wrong pin was accepted: %v", err)
	}
	// the right CA but a name the leaf does not carry
	u := strings.Replace(srv.URL, "127.0.0.1", "127.0.0.2", 1)
	if err := call(pki.caPEM, pki.caFP, u); err == nil {
		t.Fatal("a leaf without the host's name was accepted")
	}
	if _, err := NewPinnedTLS(pki.caPEM, pki.otherFP); err == nil {
		t.Fatal("a CA not matching its stored fingerprint was accepted")
	}
}

func TestChainToPinNeedsACA(t *testing.T) {
	pki := newPKI(t)
	leaf, _ := x509.ParseCertificate(pki.leaf.Certificate[0])
	block, _ := pem.Decode([]byte(pki.caPEM))
	ca, _ := x509.ParseCertificate(block.Bytes)
	if chainToPin([]*x509.Certificate{leaf, ca}, pki.caFP) == nil {
		t.Fatal("chain refused")
	}
	if chainToPin([]*x509.Certificate{leaf}, Fingerprint256(leaf.Raw)) != nil {
		t.Fatal("a pinned leaf (not a CA) accepted")
	}
	otherBlock, _ := pem.Decode([]byte(pki.otherCA))
	other, _ := x509.ParseCertificate(otherBlock.Bytes)
	if chainToPin([]*x509.Certificate{leaf, other}, pki.otherFP) != nil {
		t.Fatal("a chain whose link is not signed by the pin accepted")
	}
}

func TestCallWireFormatAndErrors(t *testing.T) {
	var gotPath, gotAuth, gotBody, gotMethod string
	status := 200
	answer := `{"result":{"data":{"json":{"stored":true,"duplicate":false,"sectionsChanged":["kernel"],"config":{"heartbeatSeconds":7,"latencySchedule":null}}}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotPath, gotAuth, gotBody, gotMethod = r.URL.RequestURI(), r.Header.Get("authorization"), string(b), r.Method
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	c, err := New(Options{Server: srv.URL + "/", HostToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Report(context.Background(), json.RawMessage(`{"sequence":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if gotMethod != "POST" || gotPath != "/api/trpc/agent.report" || gotAuth != "Bearer tok" || gotBody != `{"json":{"sequence":3}}` {
		t.Fatalf("request %s %s %q %q", gotMethod, gotPath, gotAuth, gotBody)
	}
	if out.Config.HeartbeatSeconds != 7 || out.SectionsChanged[0] != "kernel" || out.Config.LatencySchedule != nil {
		t.Fatalf("output %+v", out)
	}
	if err := c.Query(context.Background(), "agent.q", map[string]any{"a": 1}, nil); err != nil || gotMethod != "GET" || gotPath != "/api/trpc/agent.q?input=%7B%22json%22%3A%7B%22a%22%3A1%7D%7D" {
		t.Fatalf("query %v %s %s", err, gotMethod, gotPath)
	}

	for _, tc := range []struct {
		status       int
		body, action string
		want         int
	}{
		{500, `{"error":{"json":{"message":"boom","code":-32603,"data":{"code":"INTERNAL_SERVER_ERROR","httpStatus":500}}}}`, "retry", 500},
		{400, `{"error":{"json":{"message":"bad","code":-32600,"data":{"code":"BAD_REQUEST","httpStatus":400}}}}`, "reject", 400},
		{413, `<html>too large</html>`, "reject", 413},
		{401, `{"error":{"json":{"message":"no","code":-32001,"data":{"code":"UNAUTHORIZED","httpStatus":401}}}}`, "retry", 401},
		{502, `bad gateway`, "retry", 502},
		{200, `{"nothing":1}`, "retry", 200},
	} {
		status, answer = tc.status, tc.body
		_, err := c.Report(context.Background(), json.RawMessage(`{}`))
		f := ClassifyDeliveryError(err)
		if err == nil || f.Action != tc.action || f.Status != tc.want {
			t.Errorf("HTTP %d %s: %v → %+v", tc.status, tc.body, err, f)
		}
	}
	srv.Close()
	_, err = c.Report(context.Background(), json.RawMessage(`{}`))
	if f := ClassifyDeliveryError(err); err == nil || f.Action != "retry" || f.Status != 0 {
		t.Fatalf("server down: %v %+v", err, f)
	}
	if _, err := New(Options{Server: "http://10.1.2.3:3001", HostToken: "t"}); err == nil {
		t.Fatal("plain http to a network address accepted")
	}
}

func TestReportFault(t *testing.T) {
	for s, want := range map[int]bool{0: false, 500: true, 501: true, 502: false, 503: false, 504: false, 505: true, 404: false} {
		if IsReportFault(s) != want {
			t.Errorf("%d", s)
		}
	}
}
