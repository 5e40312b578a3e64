// Package commands holds the Go agent's command-line commands, one file each (agent/commands/*.ts).
package commands

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
	"nfvdeck/agent/internal/report"
)

// OnceSummary is what `help` says about once.
const OnceSummary = "collect one report from the tree at --root (default /) and print it"

// Once is `once [--root DIR] [--json] [--pretty]`: the same flags, output and exit codes as the
// TypeScript agent's once (exit 2 with one line on bad flags).
func Once(argv []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("once", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	root := fl.String("root", "/", "")
	asJSON := fl.Bool("json", false, "")
	pretty := fl.Bool("pretty", false, "")
	if err := fl.Parse(argv); err != nil || fl.NArg() > 0 || *root == "" {
		msg := "unexpected argument"
		if err != nil {
			msg = err.Error()
		}
		fmt.Fprintf(stderr, "once: %s\nusage: once [--root DIR] [--json] [--pretty]\n", msg)
		return 2
	}
	if st, err := os.Stat(*root); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "once: --root %s is not a directory\n", *root)
		return 2
	}
	fs, err := hostfs.New(*root)
	if err != nil {
		fmt.Fprintf(stderr, "once: %v\n", err)
		return 2
	}
	rep := report.NewCollecting().BuildLocalReport(fs, time.Now())
	if *asJSON {
		indent := ""
		if *pretty {
			indent = "  "
		}
		b, err := jsonx.MarshalIndent(rep, indent)
		if err != nil {
			fmt.Fprintf(stderr, "once: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	fmt.Fprintf(stdout, "%s at %s (agent %s)\n", rep["hostname"], rep["collectedAt"], rep["agentVersion"])
	sections := rep["sections"].(map[string]any)
	names := make([]string, 0, len(sections))
	for _, c := range report.SectionCollectors {
		names = append(names, c.Name)
	}
	for _, name := range names {
		s := sections[name].(map[string]any)
		state := "ok"
		if s["ok"] != true {
			errText, _ := s["error"].(string)
			state = "ERROR " + errText
		} else if s["available"] != true {
			state = "not available"
		}
		fmt.Fprintf(stdout, "  %-10s %s (%.1f ms)\n", name, state, s["durationMs"])
	}
	return 0
}

// Usage lists the commands.
func Usage(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	return "usage: nfvdeck-agent <command> [flags]\ncommands: " + strings.Join(sorted, ", ")
}
