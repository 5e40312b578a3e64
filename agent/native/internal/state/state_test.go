package state

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveStateDir(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cases := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"/x/y", map[string]string{"NFVDECK_AGENT_STATE": "/a"}, "/x/y"},
		{"", map[string]string{"NFVDECK_AGENT_STATE": "/a", "STATE_DIRECTORY": "/b"}, "/a"},
		{"", map[string]string{"STATE_DIRECTORY": "/b:/c"}, "/b"},
		{"", map[string]string{}, DefaultStateDir},
	}
	for _, c := range cases {
		if got := ResolveStateDir(c.flag, env(c.env)); got != c.want {
			t.Errorf("%q %v: %s", c.flag, c.env, got)
		}
	}
}

func TestCredentialsRoundTripInTheTSFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if c, err := LoadCredentials(dir); c != nil || err != nil {
		t.Fatalf("absent: %v %v", c, err)
	}
	creds := Credentials{HostID: "h", HostToken: "t", Server: "http://127.0.0.1:1", EnrolledAt: "2026-01-01T00:00:00.000Z"}
	file, err := SaveCredentials(dir, creds)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	// JSON.stringify(creds, null, 2) + "\n"
	want := "{\n  \"hostId\": \"h\",\n  \"hostToken\": \"t\",\n  \"server\": \"http://127.0.0.1:1\",\n  \"enrolledAt\": \"2026-01-01T00:00:00.000Z\"\n}\n"
	if string(b) != want {
		t.Fatalf("file %q", b)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	got, err := LoadCredentials(dir)
	if err != nil || *got != creds {
		t.Fatalf("%v %v", got, err)
	}
	os.WriteFile(file, []byte(`{"hostId":"h"}`), 0o600)
	if _, err := LoadCredentials(dir); err == nil {
		t.Fatal("incomplete credentials accepted")
	}
	os.WriteFile(file, []byte(`{`), 0o600)
	if _, err := LoadCredentials(dir); err == nil {
		t.Fatal("corrupt credentials accepted")
	}
}

func TestSequenceFile(t *testing.T) {
	dir := t.TempDir()
	if LoadLastSequence(dir) != -1 {
		t.Fatal("absent file")
	}
	if err := SaveLastSequence(dir, 1999); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "sequence"))
	if string(b) != "1999\n" || LoadLastSequence(dir) != 1999 {
		t.Fatalf("%q", b)
	}
	// Number(text.trim()) semantics of the TS agent
	for text, want := range map[string]int64{" 42 \n": 42, "": 0, "1e3": 1000, "0x10": 16, "-1": -1, "1.5": -1, "abc": -1, "9007199254740992": -1} {
		os.WriteFile(filepath.Join(dir, "sequence"), []byte(text), 0o600)
		if got := LoadLastSequence(dir); got != want {
			t.Errorf("%q: %d, want %d", text, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "sequence" {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
