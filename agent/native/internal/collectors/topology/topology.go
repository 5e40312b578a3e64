// Package topology collects the "topology" section (the Go port of agent/collectors/topology.ts).
package topology

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("topology: not ported yet")
}
