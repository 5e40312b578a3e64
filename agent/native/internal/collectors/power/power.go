// Package power collects the "power" section (the Go port of agent/collectors/power.ts).
package power

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("power: not ported yet")
}
