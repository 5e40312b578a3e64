package full

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"nfvdeck/agent/internal/state"
)

// StateDir is where a delegated command's full agent is extracted: --state in args, else what
// agent/state.ts resolveStateDir picks ($NFVDECK_AGENT_STATE, $STATE_DIRECTORY, /var/lib/nfvdeck-agent).
func StateDir(args []string) string {
	flag := ""
	for i, a := range args {
		if a == "--state" && i+1 < len(args) {
			flag = args[i+1]
			break
		}
		if strings.HasPrefix(a, "--state=") {
			flag = strings.TrimPrefix(a, "--state=")
			break
		}
	}
	return state.ResolveStateDir(flag, os.LookupEnv)
}

// LocateForCommand is Locate in the command's state dir; a user who may not write there (a
// `parse-cyclictest` run by hand) gets the full agent extracted under their cache directory instead.
func LocateForCommand(args []string) (*Executable, error) {
	exe, err := Locate(StateDir(args))
	if err == nil || !embedded || !errors.Is(err, os.ErrPermission) {
		return exe, err
	}
	cache, cerr := os.UserCacheDir()
	if cerr != nil {
		return nil, err
	}
	return Locate(filepath.Join(cache, "nfvdeck-agent"))
}

// forwarded are the signals passed on to the full agent while it runs a command.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// Delegate runs a command the native agent does not have in the full agent: same argv, stdin, stdout
// and stderr (the descriptors themselves), signals forwarded, its exit status passed through (a death
// by signal is re-raised on this process). Returns the exit code for os.Exit.
func Delegate(args []string, stderr io.Writer) int {
	exe, err := LocateForCommand(args)
	if err != nil {
		fmt.Fprintf(stderr, "nfvdeck-agent: %v\n", err)
		return 1
	}
	cmd := exe.Command(args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, forwarded...)
	defer signal.Stop(signals)
	err = Start(cmd)
	exe.Close()
	if err != nil {
		fmt.Fprintf(stderr, "nfvdeck-agent: starting the full agent: %v\n", err)
		return 1
	}
	// Ctrl-C / Ctrl-\ at a terminal reach the child already (same foreground process group): passing
	// them on too would deliver them twice (migrate cancels on the first and dies on a second).
	fromTerminal := isTerminal(os.Stdin)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-signals:
				if fromTerminal && (s == syscall.SIGINT || s == syscall.SIGQUIT) {
					continue
				}
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	return exitCode(err, stderr)
}

// exitCode is the child's exit code; a child killed by a signal is mirrored by dying of it here.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		fmt.Fprintf(stderr, "nfvdeck-agent: full agent: %v\n", err)
		return 1
	}
	status, ok := exitErr.Sys().(syscall.WaitStatus)
	if ok && status.Signaled() {
		sig := status.Signal()
		signal.Reset(sig)
		_ = syscall.Kill(os.Getpid(), sig)
		time.Sleep(100 * time.Millisecond) // a signal that does not kill (ignored) falls through
		return 128 + int(sig)
	}
	return exitErr.ExitCode()
}

func isTerminal(f *os.File) bool {
	var termios syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TCGETS), uintptr(unsafe.Pointer(&termios)))
	return errno == 0
}
