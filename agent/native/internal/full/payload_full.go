//go:build full

package full

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"strings"
)

// The full (TypeScript, Bun-compiled) agent, gzip-compressed, and the SHA-256 of its uncompressed
// bytes. agent/build.ts writes both into payload/ of a scratch copy of this module before
// `go build -tags full`; they are never committed.
var (
	//go:embed payload/nfvdeck-agent-full.gz
	payloadGzip []byte
	//go:embed payload/nfvdeck-agent-full.sha256
	payloadSHA256File string
)

var (
	embedded      = true
	payloadSHA256 = strings.TrimSpace(payloadSHA256File)
	openPayload   = func() (io.ReadCloser, error) {
		r, err := gzip.NewReader(bytes.NewReader(payloadGzip))
		if err != nil {
			return nil, err
		}
		return gzipReadCloser{r}, nil
	}
)

type gzipReadCloser struct{ *gzip.Reader }

// Close also gives the compressed payload's pages back (releasePages): the daemon that extracted it
// keeps running.
func (g gzipReadCloser) Close() error {
	err := g.Reader.Close()
	releasePages(payloadGzip)
	return err
}
