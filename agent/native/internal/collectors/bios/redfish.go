package bios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/jsonx"
)

// RedfishConfig is redfishConfigSchema's input: a BMC and the system whose Bios resource is read.
type RedfishConfig struct {
	BaseURL  string
	SystemID string
	Username string
	Password string
	// InsecureTLS accepts any certificate (BMCs ship self-signed ones).
	InsecureTLS bool
	// TimeoutMs is the socket idle timeout, as node:http's `timeout` (0 → the default 10,000 ms).
	TimeoutMs int
}

const defaultRedfishTimeoutMs = 10_000

// DefaultRedfishCacheMs is REDFISH_CACHE_MS: BIOS settings change only across reboots, so a successful
// BMC answer is reused this long.
const DefaultRedfishCacheMs = 5 * 60_000

var (
	systemIDPattern  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	httpURLPrefix    = regexp.MustCompile(`^https?://`)
	urlSchemePattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):`)
	hostForbidden    = regexp.MustCompile(`[\x00-\x20#%/:<>?@\[\\\]^|\x7f]`)
)

// zodIssues builds a ZodError's message (JSON.stringify(issues, null, 2)), key order as zod 4 writes them.
type zodIssues struct{ items []string }

func (z *zodIssues) add(fields ...string) {
	z.items = append(z.items, "  {\n"+strings.Join(fields, ",\n")+"\n  }")
}

func zq(s string) string        { return string(jsonx.AppendString(nil, s)) }
func zField(k, v string) string { return "    " + zq(k) + ": " + v }
func zPath(name string) string  { return "    \"path\": [\n      " + zq(name) + "\n    ]" }

func (z *zodIssues) tooSmall(path string, min int) {
	z.add(zField("origin", zq("string")), zField("code", zq("too_small")), zField("minimum", strconv.Itoa(min)), zField("inclusive", "true"), zPath(path),
		zField("message", zq("Too small: expected string to have >="+strconv.Itoa(min)+" characters")))
}

func (z *zodIssues) tooBig(path string, max int) {
	z.add(zField("origin", zq("string")), zField("code", zq("too_big")), zField("maximum", strconv.Itoa(max)), zField("inclusive", "true"), zPath(path),
		zField("message", zq("Too big: expected string to have <="+strconv.Itoa(max)+" characters")))
}

func (z *zodIssues) err() error {
	if len(z.items) == 0 {
		return nil
	}
	return errors.New("[\n" + strings.Join(z.items, ",\n") + "\n]")
}

// validURL approximates `new URL(s)` (what zod's .url() asks, on the JS-trimmed text): a scheme, and for
// the special schemes a host (percent-decoded) without forbidden code points, a valid IPv4 address when
// it ends in a number, and a port up to 65535.
func validURL(t string) bool {
	t = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(t) // the URL parser drops them anywhere
	m := urlSchemePattern.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	switch strings.ToLower(m[1]) {
	case "http", "https", "ws", "wss", "ftp":
	default:
		return true
	}
	rest := strings.TrimLeft(t[len(m[0]):], `/\`)
	if end := strings.IndexAny(rest, `/?#\`); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 || net.ParseIP(rest[1:end]) == nil || strings.Contains(rest[1:end], ".") && !strings.Contains(rest[1:end], ":") {
			return false
		}
		after := rest[end+1:]
		if after != "" && !strings.HasPrefix(after, ":") {
			return false
		}
		port = strings.TrimPrefix(after, ":")
	} else {
		if i := strings.LastIndex(rest, ":"); i >= 0 {
			host, port = rest[:i], rest[i+1:]
		}
		decoded, err := url.PathUnescape(host)
		if err != nil || decoded == "" || hostForbidden.MatchString(decoded) {
			return false
		}
		if !validIPv4Ending(strings.ToLower(decoded)) {
			return false
		}
	}
	if port != "" {
		if !digitsOnly.MatchString(port) {
			return false
		}
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return false
		}
	}
	return true
}

// ipv4Part parses a WHATWG IPv4 number: decimal, 0x hex or 0-led octal.
func ipv4Part(s string) (uint64, bool) {
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	return n, err == nil
}

// validIPv4Ending: a host whose last label is a number must be a whole valid IPv4 address.
func validIPv4Ending(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) > 1 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if _, numeric := ipv4Part(last); !numeric && !(last != "" && digitsOnly.MatchString(last)) {
		return true // a domain name
	}
	if len(labels) > 4 {
		return false
	}
	for i, l := range labels {
		n, ok := ipv4Part(l)
		if !ok {
			return false
		}
		limit := uint64(255)
		if i == len(labels)-1 {
			limit = uint64(1)<<(8*uint(5-len(labels))) - 1
		}
		if n > limit {
			return false
		}
	}
	return true
}

// Validate is redfishConfigSchema.parse: an error with zod's message when a field is out of bounds.
func (c RedfishConfig) Validate() error {
	z := &zodIssues{}
	baseURL := c.BaseURL
	if trimmed := values.Trim(baseURL); validURL(trimmed) {
		baseURL = trimmed // zod's url check passes the trimmed text on to the refinement
	} else {
		z.add(zField("code", zq("invalid_format")), zField("format", zq("url")), zPath("baseUrl"), zField("message", zq("Invalid URL")))
	}
	if !httpURLPrefix.MatchString(baseURL) {
		z.add(zField("code", zq("custom")), zPath("baseUrl"), zField("message", zq("http(s) URL")))
	}
	if n := values.UTF16Len(c.SystemID); n < 1 {
		z.tooSmall("systemId", 1)
	} else if n > 128 {
		z.tooBig("systemId", 128)
	}
	if !systemIDPattern.MatchString(c.SystemID) {
		z.add(zField("origin", zq("string")), zField("code", zq("invalid_format")), zField("format", zq("regex")), zField("pattern", zq("/^[A-Za-z0-9._-]+$/")),
			zPath("systemId"), zField("message", zq("Invalid string: must match pattern /^[A-Za-z0-9._-]+$/")))
	}
	if n := values.UTF16Len(c.Username); n < 1 {
		z.tooSmall("username", 1)
	} else if n > 256 {
		z.tooBig("username", 256)
	}
	if values.UTF16Len(c.Password) > 1024 {
		z.tooBig("password", 1024)
	}
	if c.TimeoutMs < 0 || c.TimeoutMs > 120_000 {
		z.add(zField("code", zq("custom")), zPath("timeoutMs"), zField("message", zq("timeoutMs out of range")))
	}
	return z.err()
}

func (c RedfishConfig) timeout() time.Duration {
	ms := c.TimeoutMs
	if ms == 0 {
		ms = defaultRedfishTimeoutMs
	}
	return time.Duration(ms) * time.Millisecond
}

func (c RedfishConfig) timeoutMs() int {
	if c.TimeoutMs == 0 {
		return defaultRedfishTimeoutMs
	}
	return c.TimeoutMs
}

// Options are BiosOptions: every source is optional.
type Options struct {
	Redfish *RedfishConfig
	// ExportFile is the HostFs-relative vendor export (nil → DefaultExportFile).
	ExportFile *string
	// RunDmidecode runs `dmidecode -t 0` (nil → only as root on the real root "/").
	RunDmidecode *bool
	// RedfishCacheMs reuses a successful Redfish answer this long (nil → DefaultRedfishCacheMs; 0 = always ask).
	RedfishCacheMs *int
	// Now is the clock of the Redfish cache (nil → time.Now).
	Now func() time.Time
}

// DefaultExportFile is where an operator may drop a vendor export (racadm / iLOrest / OneCLI) on the host.
const DefaultExportFile = "etc/nfvdeck/bios-export.json"

// OptionsFromEnv is biosOptionsFromEnv: NFVDECK_REDFISH_URL (+ _SYSTEM default "1", _USER, _PASSWORD,
// _INSECURE 0|1|true|false) and NFVDECK_BIOS_EXPORT. A half-configured Redfish is an error, not silence.
func OptionsFromEnv(lookup func(string) (string, bool)) (Options, error) {
	opts := Options{}
	insecure, insecureSet := lookup("NFVDECK_REDFISH_INSECURE")
	if insecureSet && insecure != "0" && insecure != "1" && insecure != "true" && insecure != "false" {
		z := &zodIssues{}
		z.add(zField("code", zq("invalid_value")), "    \"values\": [\n      \"0\",\n      \"1\",\n      \"true\",\n      \"false\"\n    ]", zPath("NFVDECK_REDFISH_INSECURE"),
			zField("message", zq(`Invalid option: expected one of "0"|"1"|"true"|"false"`)))
		return opts, z.err()
	}
	if base, _ := lookup("NFVDECK_REDFISH_URL"); base != "" {
		cfg := RedfishConfig{BaseURL: base, SystemID: "1", InsecureTLS: insecure == "1" || insecure == "true"}
		if v, ok := lookup("NFVDECK_REDFISH_SYSTEM"); ok {
			cfg.SystemID = v
		}
		cfg.Username, _ = lookup("NFVDECK_REDFISH_USER")
		cfg.Password, _ = lookup("NFVDECK_REDFISH_PASSWORD")
		if err := cfg.Validate(); err != nil {
			return opts, err
		}
		cfg.BaseURL = values.Trim(cfg.BaseURL) // zod's parse output is the trimmed URL
		opts.Redfish = &cfg
	}
	if file, _ := lookup("NFVDECK_BIOS_EXPORT"); file != "" {
		f := strings.TrimLeft(file, "/")
		opts.ExportFile = &f
	}
	return opts, nil
}

// idleConn is node:http's `timeout` option: the socket may be idle at most d (not a total deadline).
type idleConn struct {
	net.Conn
	d time.Duration
}

func (c *idleConn) Read(b []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(c.d))
	return c.Conn.Read(b)
}

func (c *idleConn) Write(b []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(c.d))
	return c.Conn.Write(b)
}

// origin is the WHATWG URL origin "scheme://host[:port]", the default port left out.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

func pathname(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// nodeMessage words a transport error as Node's does where the words are well known ("connect
// ECONNREFUSED 127.0.0.1:1", "getaddrinfo ENOTFOUND bmc", "self-signed certificate", "socket hang up").
func nodeMessage(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "getaddrinfo ENOTFOUND " + dns.Name
		}
		return "getaddrinfo EAI_AGAIN " + dns.Name
	}
	var op *net.OpError
	if errors.As(err, &op) {
		var errno syscall.Errno
		if errors.As(op.Err, &errno) {
			codes := map[syscall.Errno]string{syscall.ECONNREFUSED: "ECONNREFUSED", syscall.ECONNRESET: "ECONNRESET", syscall.EHOSTUNREACH: "EHOSTUNREACH",
				syscall.ENETUNREACH: "ENETUNREACH", syscall.ETIMEDOUT: "ETIMEDOUT", syscall.EPIPE: "EPIPE", syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL"}
			if code, ok := codes[errno]; ok {
				if op.Op == "dial" {
					addr := ""
					if tcp, ok := op.Addr.(*net.TCPAddr); ok {
						addr = " " + tcp.IP.String() + ":" + strconv.Itoa(tcp.Port)
					}
					return "connect " + code + addr
				}
				return op.Op + " " + code
			}
		}
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		if c := unknown.Cert; c != nil && bytesEqual(c.RawIssuer, c.RawSubject) {
			return "self-signed certificate"
		}
		return "unable to verify the first certificate"
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.Expired {
		return "certificate has expired"
	}
	var host x509.HostnameError
	if errors.As(err, &host) {
		return "Hostname/IP does not match certificate's altnames: " + host.Error()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "socket hang up"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

const maxRedfishBody = 8 * 1024 * 1024

// redfishGet is redfishGet: GET a Redfish resource as JSON with Basic auth, one connection per request,
// never following a link to another origin, a redirect or a proxy; a self-signed certificate only with
// InsecureTLS.
func redfishGet(cfg RedfishConfig, pathOrURL string) (any, error) {
	base, err := url.Parse(values.Trim(cfg.BaseURL))
	if err != nil {
		return nil, err
	}
	ref, err := url.Parse(pathOrURL)
	if err != nil {
		return nil, err
	}
	u := base.ResolveReference(ref)
	u.Fragment = ""
	if origin(u) != origin(base) {
		return nil, errors.New("Redfish: refusing to follow " + origin(u) + " (not the BMC)")
	}
	where := "GET " + origin(u) + pathname(u) + ": "
	idle := cfg.timeout()
	dialer := &net.Dialer{Timeout: idle}
	transport := &http.Transport{
		Proxy: nil, // node:http ignores HTTP(S)_PROXY
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &idleConn{Conn: c, d: idle}, nil
		},
		TLSClientConfig:    &tls.Config{InsecureSkipVerify: cfg.InsecureTLS}, //nolint:gosec // BMCs ship self-signed certificates: the operator's choice
		DisableKeepAlives:  true,                                             // agent: false — no pooled socket to a BMC that may have gone away
		DisableCompression: true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, errors.New(where + err.Error())
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("OData-Version", "4.0")
	// canonical key: net/http then adds no second one from credentials in the URL (node:http neither)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	req.Header["User-Agent"] = []string{""} // node:http sends none
	timedOut := errors.New(where + "Redfish GET " + pathname(u) + ": timed out after " + strconv.Itoa(cfg.timeoutMs()) + " ms")
	res, err := client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, timedOut
		}
		return nil, errors.New(where + nodeMessage(err))
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxRedfishBody+1))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, timedOut
		}
		return nil, errors.New(where + nodeMessage(err))
	}
	if len(raw) > maxRedfishBody {
		return nil, errors.New(where + "Redfish: response larger than 8 MB")
	}
	body := jsonx.DecodeUTF8(raw)
	if res.StatusCode >= 400 {
		msg := ""
		if doc, perr := parseJSON([]byte(body)); perr != nil || doc == nil {
			// JSON.parse failed, or `null.error` threw: the body's start instead
			msg = values.SliceText(body, 200)
		} else if o, ok := doc.(*object); ok {
			if e, ok := o.Get("error"); ok {
				if eo, ok := e.(*object); ok {
					if m, ok := eo.Get("message"); ok {
						msg = templateText(m)
					}
				}
			}
		}
		text := "Redfish GET " + pathname(u) + ": HTTP " + strconv.Itoa(res.StatusCode)
		if msg != "" {
			text += ": " + msg
		}
		return nil, errors.New(text)
	}
	doc, err := parseJSON([]byte(body))
	if err != nil {
		return nil, errors.New("Redfish GET " + pathname(u) + ": response is not JSON")
	}
	return doc, nil
}

// templateText is `${v}` for a JSON value whose truthiness decides whether it is shown ("" when falsy).
func templateText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == 0 || x != x {
			return ""
		}
		return values.NumberText(x)
	case bool:
		if x {
			return "true"
		}
		return ""
	case nil:
		return ""
	case *object:
		return "[object Object]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = templateText(e)
			}
		}
		return strings.Join(parts, ",")
	}
	return ""
}

// redfishBios is a fetched Bios resource: origin (its @odata.id, else the path asked), current and
// pending attributes (pending nil when the BMC has no settings object or it could not be read).
type redfishBios struct {
	origin  string
	current *object
	pending *object
}

// fetchRedfishBios: current and pending BIOS attributes from a BMC.
func fetchRedfishBios(cfg RedfishConfig, w *values.Warnings) (redfishBios, error) {
	if err := cfg.Validate(); err != nil {
		return redfishBios{}, err
	}
	biosPath := "/redfish/v1/Systems/" + url.PathEscape(cfg.SystemID) + "/Bios"
	doc, err := redfishGet(cfg, biosPath)
	if err != nil {
		return redfishBios{}, err
	}
	current, err := parseRedfishBios(doc, w)
	if err != nil {
		return redfishBios{}, err
	}
	out := redfishBios{origin: biosPath, current: current.attributes}
	if current.id != nil {
		out.origin = *current.id
	}
	if current.settingsObject != nil {
		pendingDoc, err := redfishGet(cfg, *current.settingsObject)
		if err == nil {
			var p redfishBiosDoc
			if p, err = parseRedfishBios(pendingDoc, w); err == nil {
				out.pending = p.attributes
			}
		}
		if err != nil {
			w.Add("pending settings: " + err.Error())
		}
	}
	return out, nil
}

type cacheEntry struct {
	// at is when the answer was fetched; from time.Now it carries the monotonic clock, so Sub is immune to wall-clock steps
	at    time.Time
	value redfishBios
}

// The Redfish cache lives as long as the process, as the TS module's Map does.
var (
	redfishCacheMu sync.Mutex
	redfishCache   = map[string]cacheEntry{}
)

func fetchRedfishBiosCached(cfg RedfishConfig, w *values.Warnings, cacheMs int, now func() time.Time) (redfishBios, error) {
	key := cfg.BaseURL + "|" + cfg.SystemID + "|" + cfg.Username
	redfishCacheMu.Lock()
	hit, ok := redfishCache[key]
	redfishCacheMu.Unlock()
	if ok && now().Sub(hit.at) < time.Duration(cacheMs)*time.Millisecond {
		return hit.value, nil
	}
	value, err := fetchRedfishBios(cfg, w)
	if err != nil {
		return redfishBios{}, err
	}
	redfishCacheMu.Lock()
	redfishCache[key] = cacheEntry{at: now(), value: value}
	redfishCacheMu.Unlock()
	return value, nil
}
