// Package irq collects the "irq" section (the Go port of agent/collectors/irq.ts).
package irq

import (
	"errors"

	"nfvdeck/agent/internal/hostfs"
)

// Read returns the section data, or nil when the source does not exist on this host.
func Read(fs *hostfs.FS) (any, error) {
	return nil, errors.New("irq: not ported yet")
}
