package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunFlagsAsTheTSAgentParsesThem(t *testing.T) {
	f, problem := parseRunFlags([]string{"--heartbeat=0.2", "--timeout-ms", "2000", "--no-qos", "stray", "--slow-refresh-s", "0", "--root", "/x"})
	if problem != "" || f.heartbeatS != 0.2 || !f.heartbeatGiven || f.timeoutMs != 2000 || !f.noQos || f.root != "/x" || !f.slowRefreshGiven || f.slowRefreshS != 0 {
		t.Fatalf("%+v %q", f, problem)
	}
	d, _ := parseRunFlags(nil)
	if d.root != "/" || d.backoffMaxMs != 60_000 || d.timeoutMs != 15_000 || d.spoolMaxFiles != 10_000 || d.spoolMaxBytes != 64<<20 || d.maxServerErrorTries != 5 || d.heartbeatGiven || d.slowRefreshGiven {
		t.Fatalf("defaults %+v", d)
	}
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"--bogus"}, "Unknown option '--bogus'"},
		{[]string{"-v"}, "Unknown option '-v'"},
		{[]string{"--server"}, "Option '--server <value>' argument missing"},
		{[]string{"--state", "--verbose"}, "argument is ambiguous"},
		{[]string{"--verbose=1"}, "does not take an argument"},
		{[]string{"--heartbeat", "0.01"}, "--heartbeat: Too small: expected number to be >=0.05"},
		{[]string{"--heartbeat", "abc"}, "--heartbeat: Invalid input: expected number, received NaN"},
		{[]string{"--timeout-ms", "1.5"}, "--timeout-ms: Invalid input: expected int"},
		{[]string{"--spool-max-bytes", "1023"}, "--spool-max-bytes: Too small: expected number to be >=1024"},
		{[]string{"--backoff-max-ms", "3600001"}, "--backoff-max-ms: Too big: expected number to be <=3600000"},
		{[]string{"--server", "ftp://x"}, "--server: Invalid URL"},
		{[]string{"--root="}, "--root: Too small"},
	} {
		if _, problem := parseRunFlags(c.argv); !strings.Contains(problem, c.want) {
			t.Errorf("%v: %q, want %q", c.argv, problem, c.want)
		}
	}
	// Number() coercion as zod's z.coerce.number
	if f, p := parseRunFlags([]string{"--timeout-ms", "0x3e8"}); p != "" || f.timeoutMs != 1000 {
		t.Fatalf("hex %v %q", f, p)
	}
	if _, p := parseRunFlags([]string{"--", "--bogus"}); p != "" {
		t.Fatalf("after -- : %q", p)
	}
}

func TestRunExitCodes(t *testing.T) {
	var errOut bytes.Buffer
	if code := Run([]string{"--nope"}, &errOut); code != 2 || !strings.Contains(errOut.String(), "usage: run") {
		t.Fatalf("bad flag: %d %s", code, errOut.String())
	}
	dir := t.TempDir()
	errOut.Reset()
	if code := Run([]string{"--state", dir}, &errOut); code != 1 || !strings.Contains(errOut.String(), "not enrolled") {
		t.Fatalf("not enrolled: %d %s", code, errOut.String())
	}
	os.WriteFile(filepath.Join(dir, "credentials.json"), []byte(`{"hostId":"h","hostToken":"t","server":"http://10.0.0.1:3001","enrolledAt":"x"}`), 0o600)
	t.Setenv("NFVDECK_ISOLATED_CPUS", "")
	errOut.Reset()
	if code := Run([]string{"--state", dir}, &errOut); code != 1 || !strings.Contains(errOut.String(), "plain HTTP is for 127.0.0.1 only") {
		t.Fatalf("plain http to a network address: %d %s", code, errOut.String())
	}
	errOut.Reset()
	if code := Run([]string{"--state", dir, "--server", "https://agent.example"}, &errOut); code != 1 || !strings.Contains(errOut.String(), "enrol again with --ca-fingerprint") {
		t.Fatalf("https without a pinned CA: %d %s", code, errOut.String())
	}
}
