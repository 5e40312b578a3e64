// Package kernel collects the "kernel" section (the Go port of agent/collectors/kernel.ts).
package kernel

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("kernel: not ported yet")
}
