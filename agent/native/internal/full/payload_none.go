//go:build !full

package full

import "io"

// Without the `full` build tag nothing is embedded: the full agent is found through
// NFVDECK_AGENT_FULL (development, tests). Variables, not constants, so tests can embed a stand-in.
var (
	embedded = false
	// payloadSHA256 is the hex SHA-256 of the uncompressed full agent.
	payloadSHA256 = ""
	openPayload   = func() (io.ReadCloser, error) { return nil, errNotEmbedded }
)
