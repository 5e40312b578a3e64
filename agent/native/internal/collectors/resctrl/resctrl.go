// Package resctrl collects the "resctrl" section (the Go port of agent/collectors/resctrl.ts).
package resctrl

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("resctrl: not ported yet")
}
