// Package hugepages collects the "hugepages" section (the Go port of agent/collectors/hugepages.ts).
package hugepages

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("hugepages: not ported yet")
}
