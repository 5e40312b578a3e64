// Package kvm collects the "kvm" section (the Go port of agent/collectors/kvm.ts).
package kvm

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("kvm: not ported yet")
}
