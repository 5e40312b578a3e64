package full

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nfvdeck/agent/internal/state"
)

// embedStandIn makes this test binary behave like a `full` build whose payload is /bin/echo (a real
// ELF executable: exec through /proc/self/fd/N is what production does).
func embedStandIn(t *testing.T) []byte {
	t.Helper()
	echo, err := exec.LookPath("echo")
	if err != nil {
		t.Skip("no echo executable")
	}
	payload, err := os.ReadFile(echo)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(payload)
	oldEmbedded, oldSHA, oldOpen := embedded, payloadSHA256, openPayload
	embedded, payloadSHA256 = true, hex.EncodeToString(sum[:])
	openPayload = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(payload)), nil }
	t.Cleanup(func() { embedded, payloadSHA256, openPayload = oldEmbedded, oldSHA, oldOpen })
	return payload
}

func runEcho(t *testing.T, state string, words ...string) string {
	t.Helper()
	exe, err := Locate(state)
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Close()
	if !strings.HasPrefix(exe.Path(), "/proc/self/fd/") {
		t.Fatalf("executes %s, not the verified descriptor", exe.Path())
	}
	cmd := exe.Command(words...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := Start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestExtractsOnceWith0700AndRunsTheVerifiedFile(t *testing.T) {
	payload := embedStandIn(t)
	state := t.TempDir()
	if got := runEcho(t, state, "hello", "there"); got != "hello there\n" {
		t.Fatalf("output %q", got)
	}
	file := filepath.Join(RuntimeDir(state), FileName)
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 || st.Size() != int64(len(payload)) {
		t.Fatalf("extracted %v, %d bytes", st.Mode(), st.Size())
	}
	if dir, _ := os.Stat(RuntimeDir(state)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("runtime dir mode %v", dir.Mode())
	}
	// a second use keeps the same inode (no re-extraction)
	before := st.Sys()
	runEcho(t, state, "again")
	after, _ := os.Stat(file)
	if !os.SameFile(st, after) {
		t.Fatalf("re-extracted a valid file (%v)", before)
	}
}

func TestATamperedExtractionIsNeverExecuted(t *testing.T) {
	embedStandIn(t)
	state := t.TempDir()
	runEcho(t, state, "first")
	file := filepath.Join(RuntimeDir(state), FileName)
	// replaced by a script that would leave a mark if it ever ran
	mark := filepath.Join(t.TempDir(), "tampered-ran")
	if err := os.WriteFile(file, []byte("#!/bin/sh\ntouch "+mark+"\necho tampered\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := runEcho(t, state, "still", "echo"); got != "still echo\n" {
		t.Fatalf("output %q", got)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Fatal("the tampered file ran")
	}
	// made writable by others: not trusted either, extracted again with 0700
	if err := os.Chmod(file, 0o777); err != nil {
		t.Fatal(err)
	}
	runEcho(t, state, "x")
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v after re-extraction", st.Mode())
	}
}

func TestRefusesWhenThePayloadDoesNotMatchItsHash(t *testing.T) {
	embedStandIn(t)
	payloadSHA256 = strings.Repeat("0", 64)
	if _, err := Locate(t.TempDir()); err == nil || !strings.Contains(err.Error(), "corrupt build") {
		t.Fatalf("err %v", err)
	}
}

func TestWithoutTheTagTheEnvironmentNamesTheFullAgent(t *testing.T) {
	t.Setenv(EnvPath, "")
	if _, err := Locate(t.TempDir()); err == nil || !strings.Contains(err.Error(), EnvPath) {
		t.Fatalf("err %v", err)
	}
	t.Setenv(EnvPath, "/opt/x/agent")
	exe, err := Locate(t.TempDir())
	if err != nil || exe.Path() != "/opt/x/agent" {
		t.Fatalf("%v %v", exe, err)
	}
}

func TestStateDirFollowsTheTypeScriptOrder(t *testing.T) {
	cases := []struct {
		args             []string
		envState, envDir string
		want             string
	}{
		{nil, "", "", state.DefaultStateDir},
		{[]string{"enroll", "--state", "/a"}, "/b", "/c", "/a"},
		{[]string{"enroll", "--state=/a2"}, "/b", "", "/a2"},
		{[]string{"tune"}, "/b", "/c:/d", "/b"},
		{[]string{"tune"}, "", "/c:/d", "/c"},
	}
	for _, c := range cases {
		for name, value := range map[string]string{"NFVDECK_AGENT_STATE": c.envState, "STATE_DIRECTORY": c.envDir} {
			t.Setenv(name, value) // restored after the test
			if value == "" {
				os.Unsetenv(name)
			}
		}
		if got := StateDir(c.args); got != c.want {
			t.Errorf("StateDir(%v) with %q/%q = %q, want %q", c.args, c.envState, c.envDir, got, c.want)
		}
	}
}

func TestExitCodePassesTheChildsCodeThrough(t *testing.T) {
	err := exec.Command("sh", "-c", "exit 7").Run()
	if got := exitCode(err, io.Discard); got != 7 {
		t.Fatalf("exit %d", got)
	}
	if got := exitCode(nil, io.Discard); got != 0 {
		t.Fatalf("exit %d", got)
	}
}
