package transport

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// CA pinning for the agent port (agent/transport/tls-pin.ts): enrolment stored the server's CA and its
// SHA-256 fingerprint in <state>/server-ca.json; from then on only that CA is trusted. Plain HTTP only
// to loopback.

// PinnedTLS is the pinned CA (PEM, parsed) and its fingerprint "AA:BB:…" (upper-case hex pairs).
type PinnedTLS struct {
	CAPEM       string
	Fingerprint string
	ca          *x509.Certificate
}

const caFile = "server-ca.json"

var (
	fingerprintPrefix = regexp.MustCompile(`(?i)^sha256[:=]`)
	hex64             = regexp.MustCompile(`^[0-9A-F]{64}$`)
	loopbackV4        = regexp.MustCompile(`^127\.\d+\.\d+\.\d+$`)
)

// NormaliseFingerprint accepts "sha256:…", "SHA256=…", with or without colons; "" when not 64 hex digits.
func NormaliseFingerprint(text string) string {
	h := strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(fingerprintPrefix.ReplaceAllString(text, ""), ":", "")))
	if !hex64.MatchString(h) {
		return ""
	}
	pairs := make([]string, 0, 32)
	for i := 0; i < 64; i += 2 {
		pairs = append(pairs, h[i:i+2])
	}
	return strings.Join(pairs, ":")
}

// Fingerprint256 is node's X509Certificate.fingerprint256 of a DER certificate ("AA:BB:…").
func Fingerprint256(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	pairs := make([]string, 0, 32)
	for i := 0; i < 64; i += 2 {
		pairs = append(pairs, h[i:i+2])
	}
	return strings.Join(pairs, ":")
}

func isLoopbackHost(hostname string) bool {
	h := strings.TrimSuffix(strings.TrimPrefix(hostname, "["), "]")
	return h == "localhost" || h == "::1" || loopbackV4.MatchString(h)
}

// TransportProblem says why this URL may not carry a host token, or "" when it may.
func TransportProblem(server string, pinned bool) string {
	u, err := url.Parse(server)
	if err != nil {
		return fmt.Sprintf("invalid server URL %q", server)
	}
	switch u.Scheme {
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return ""
		}
		return fmt.Sprintf("plain HTTP is for 127.0.0.1 only; use https://%s with the server's CA fingerprint", u.Host)
	case "https":
		if pinned {
			return ""
		}
		return "https needs the server's CA fingerprint (enroll --ca-fingerprint SHA256)"
	}
	return fmt.Sprintf("unsupported protocol %s:", u.Scheme)
}

// NewPinnedTLS parses the CA PEM and checks it against the fingerprint.
func NewPinnedTLS(caPEM, fingerprint string) (*PinnedTLS, error) {
	block, _ := pem.Decode([]byte(caPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("the pinned CA is not a PEM certificate")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the pinned CA: %v", err)
	}
	if Fingerprint256(ca.Raw) != fingerprint {
		return nil, fmt.Errorf("%s: the stored CA does not match its fingerprint", caFile)
	}
	return &PinnedTLS{CAPEM: caPEM, Fingerprint: fingerprint, ca: ca}, nil
}

// LoadServerCa is the pinned CA from the state dir, checked against its stored fingerprint; nil when none
// was pinned.
func LoadServerCa(stateDir string) (*PinnedTLS, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, caFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var stored struct {
		Fingerprint *string `json:"fingerprint"`
		PEM         *string `json:"pem"`
	}
	if err := dec.Decode(&stored); err != nil || stored.Fingerprint == nil || stored.PEM == nil {
		return nil, fmt.Errorf("%s is not a valid pinned-CA file", caFile)
	}
	return NewPinnedTLS(*stored.PEM, *stored.Fingerprint)
}

// chainToPin is the TS chainToPin: the pinned CA must appear in chain (leaf first), every link below it
// must be issued and signed by the next, and the pinned certificate must be a CA.
func chainToPin(chain []*x509.Certificate, fingerprint string) *x509.Certificate {
	for i, cert := range chain {
		if Fingerprint256(cert.Raw) != fingerprint {
			continue
		}
		for j := 0; j < i; j++ {
			child, parent := chain[j], chain[j+1]
			if !bytes.Equal(child.RawIssuer, parent.RawSubject) || child.CheckSignatureFrom(parent) != nil {
				return nil
			}
		}
		if !cert.IsCA {
			return nil
		}
		return cert
	}
	return nil
}

// Config is the client TLS configuration that trusts exactly the pinned CA for host (the URL's host
// name). Go's own verification is replaced (InsecureSkipVerify) by VerifyPeerCertificate, which does
// what node does with {ca, rejectUnauthorized, checkServerIdentity}: the chain must verify up to the
// pinned CA (validity dates, signatures, CA constraints, server-auth usage), the certificate chain must
// contain the pin link by link (chainToPin, the CA completing what the server sent as node's
// issuerCertificate walk does), and the leaf must name host.
func (p *PinnedTLS) Config(host string) *tls.Config {
	roots := x509.NewCertPool()
	roots.AddCert(p.ca)
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyPeerCertificate below (only the pinned CA)
		VerifyPeerCertificate: func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
			return p.verify(rawCerts, host, roots)
		},
	}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	return cfg
}

func (p *PinnedTLS) verify(rawCerts [][]byte, host string, roots *x509.CertPool) error {
	if len(rawCerts) == 0 {
		return errors.New("the server sent no certificate")
	}
	certs := make([]*x509.Certificate, 0, len(rawCerts))
	for _, raw := range rawCerts {
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return fmt.Errorf("the server certificate: %v", err)
		}
		certs = append(certs, c)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return fmt.Errorf("the server certificate does not chain to the pinned CA: %v", err)
	}
	pinned := false
	for _, chain := range chains {
		if chainToPin(chain, p.Fingerprint) != nil {
			pinned = true
			break
		}
	}
	if !pinned {
		return errors.New("the server certificate does not chain to the pinned CA")
	}
	return checkServerIdentity(host, certs[0])
}

// oidCommonName is the subject attribute CN.
var oidCommonName = []int{2, 5, 4, 3}

// checkServerIdentity is node's tls.checkServerIdentity (lib/tls.js), which the TS agent's pin check
// ends with: an IP host must be one of the IP SANs; a name must match a DNS SAN, or a subject CN when
// the certificate has no DNS SAN at all; a wildcard only as node takes it (one '*' in the first label,
// possibly with a prefix or suffix, not in an xn-- label, not *.tld). Go's VerifyHostname differs
// both ways: it never looks at the CN and refuses partial wildcards and a SAN's trailing dot, but takes
// *.tld.
func checkServerIdentity(host string, leaf *x509.Certificate) error {
	host = strings.TrimSuffix(host, ".")
	if ip := net.ParseIP(host); ip != nil {
		v4Host := !strings.Contains(host, ":")
		for _, san := range leaf.IPAddresses {
			// node compares canonical texts: a 4-byte SAN is "a.b.c.d", a 16-byte one an IPv6 text
			if san.Equal(ip) && (len(san) == net.IPv4len) == v4Host {
				return nil
			}
		}
		return fmt.Errorf("Hostname/IP does not match certificate's altnames: IP: %s is not in the cert's list", host)
	}
	hostParts := nodeSplitHost(host)
	if len(leaf.DNSNames) > 0 {
		for _, name := range leaf.DNSNames {
			if nodeHostMatches(hostParts, name) {
				return nil
			}
		}
		return fmt.Errorf("Hostname/IP does not match certificate's altnames: Host: %s. is not in the cert's altnames: DNS:%s", host, strings.Join(leaf.DNSNames, ", DNS:"))
	}
	var cns []string
	for _, atv := range leaf.Subject.Names {
		if v, ok := atv.Value.(string); ok && atv.Type.Equal(oidCommonName) {
			cns = append(cns, v)
		}
	}
	for _, cn := range cns {
		if nodeHostMatches(hostParts, cn) {
			return nil
		}
	}
	if len(cns) == 0 || (len(cns) == 1 && cns[0] == "") {
		return errors.New("Hostname/IP does not match certificate's altnames: Cert does not contain a DNS name")
	}
	return fmt.Errorf("Hostname/IP does not match certificate's altnames: Host: %s. is not cert's CN: %s", host, strings.Join(cns, ","))
}

// nodeSplitHost drops one trailing dot, lower-cases A-Z only and splits at dots.
func nodeSplitHost(s string) []string {
	s = strings.TrimSuffix(s, ".")
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return strings.Split(string(b), ".")
}

// nodeHostMatches is lib/tls.js check(hostParts, pattern, true).
func nodeHostMatches(hostParts []string, pattern string) bool {
	if pattern == "" {
		return false
	}
	patternParts := nodeSplitHost(pattern)
	if len(hostParts) != len(patternParts) {
		return false
	}
	for _, p := range patternParts {
		if p == "" {
			return false
		}
		for _, r := range p {
			if r < 0x21 || r > 0x7f {
				return false // IDNA U-labels, blanks and controls are refused
			}
		}
	}
	for i := len(hostParts) - 1; i > 0; i-- {
		if hostParts[i] != patternParts[i] {
			return false
		}
	}
	hostSub, patternSub := hostParts[0], patternParts[0]
	pieces := strings.Split(patternSub, "*")
	if len(pieces) == 1 || strings.Contains(patternSub, "xn--") {
		return hostSub == patternSub
	}
	if len(pieces) > 2 || len(patternParts) <= 2 {
		return false
	}
	prefix, suffix := pieces[0], pieces[1]
	return len(prefix)+len(suffix) <= len(hostSub) && strings.HasPrefix(hostSub, prefix) && strings.HasSuffix(hostSub, suffix)
}
