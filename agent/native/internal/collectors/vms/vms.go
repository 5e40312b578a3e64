// Package vms collects the "vms" section (the Go port of agent/collectors/vms.ts).
package vms

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("vms: not ported yet")
}
