// Command nfvdeck-agent is the native nfvdeck agent: one static executable, no runtime to install
// (issue 14). It collects and reports natively; see agent/native/README.md for what it delegates.
package main

import (
	"fmt"
	"os"

	"nfvdeck/agent/internal/commands"
	"nfvdeck/agent/internal/full"
)

type command struct {
	summary string
	run     func(argv []string) int
}

// delegatedCommands run in the full (TypeScript) agent: listed in help only; anything not in
// commandTable goes there.
var delegatedCommands = []string{"capture", "enroll", "job-exec", "job-recover", "migrate", "parse-cyclictest", "pin-check", "predict-migration", "simulate", "tune"}

// commandTable lists the native commands. Add a line here to add one.
func commandTable() map[string]command {
	return map[string]command{
		"once": {commands.OnceSummary, func(argv []string) int { return commands.Once(argv, os.Stdout, os.Stderr) }},
		"run":  {commands.RunSummary, func(argv []string) int { return commands.Run(argv, os.Stderr) }},
		"jobs": {commands.JobsSummary, func(argv []string) int { return commands.Jobs(argv, os.Stderr) }},
	}
}

func main() {
	table := commandTable()
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	args := os.Args[1:]
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Println(commands.Usage(append(names, delegatedCommands...)))
		if len(args) == 0 {
			os.Exit(2)
		}
		return
	}
	cmd, ok := table[args[0]]
	if !ok {
		// not native: the full agent runs it (same argv and stdio; an unknown command is its exit 2)
		os.Exit(full.Delegate(args, os.Stderr))
	}
	os.Exit(cmd.run(args[1:]))
}
