// Package bios collects the "bios" section (the Go port of agent/collectors/bios.ts).
package bios

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("bios: not ported yet")
}
