// Package report builds the agent's report sections from its collectors (agent/report/collect.ts).
package report

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
	"nfvdeck/agent/internal/schema"
)

// AgentVersion is the version both agents report (agent/report/collect.ts AGENT_VERSION).
const AgentVersion = "0.1.0"

// maxDurationMs is the envelope schema's bound on durationMs.
const maxDurationMs = 3_600_000

// Envelope is one section as reported: {ok, available, error?, durationMs, hash, data}.
type Envelope = map[string]any

// Collecting holds what survives between collections: per section, the content hash of the last data
// that passed its schema, so an unchanged section is not validated again every heartbeat.
type Collecting struct {
	validatedHash map[string]string
	// Now is the clock used for durations (tests inject one).
	Now func() time.Time
}

// NewCollecting returns an empty collecting state using the real clock.
func NewCollecting() *Collecting {
	return &Collecting{validatedHash: map[string]string{}, Now: time.Now}
}

func roundMs(d time.Duration) float64 {
	ms := float64(d.Nanoseconds()) / 1e6
	return math.Max(0, math.Round(ms*1000)/1000)
}

// errorText words a failure as the TS agent's envelope does ("Error: message": its errors are Error objects).
func errorText(err error) string {
	return jsonx.ClipText(jsonx.CleanText("Error: "+err.Error()), 4000)
}

func nullHash() string {
	h, _ := jsonx.ContentHash(nil)
	return h
}

func failed(err error, durationMs float64) Envelope {
	return failedText(errorText(err), durationMs)
}

func failedText(text string, durationMs float64) Envelope {
	return Envelope{"ok": false, "available": true, "error": text, "durationMs": durationMs, "hash": nullHash(), "data": nil}
}

// CollectSection runs one collector; it never fails (a panic or error becomes ok:false).
func (c *Collecting) CollectSection(fs *hostfs.FS, col Collector) (env Envelope) {
	started := c.Now()
	defer func() {
		if r := recover(); r != nil {
			env = failed(fmt.Errorf("%s: panic: %v", col.Name, r), roundMs(c.Now().Sub(started)))
		}
	}()
	raw, err := col.Read(fs)
	durationMs := roundMs(c.Now().Sub(started))
	if err != nil {
		return failed(err, durationMs)
	}
	if raw == nil {
		return Envelope{"ok": true, "available": false, "durationMs": durationMs, "hash": nullHash(), "data": nil}
	}
	// every string a collector produced is cleaned here, before hashing
	data := jsonx.CleanValue(raw)
	hash, err := jsonx.SectionHash(col.Name, data)
	if err != nil {
		return failed(err, durationMs)
	}
	env = Envelope{"ok": true, "available": true, "durationMs": durationMs, "hash": hash, "data": data}
	fullHash := hash
	if jsonx.HasVolatileKeys(col.Name) {
		if fullHash, err = jsonx.ContentHash(data); err != nil {
			return failed(err, durationMs)
		}
	}
	if c.validatedHash[col.Name] == fullHash && durationMs <= maxDurationMs {
		return env
	}
	if problems := schema.ValidateSection(col.Name, env); len(problems) > 0 {
		// a plain message in the TS agent too (no "Error: " prefix)
		text := fmt.Sprintf("section %s failed its schema: %s", col.Name, strings.Join(problems, "; "))
		return failedText(jsonx.ClipText(jsonx.CleanText(text), 4000), durationMs)
	}
	c.validatedHash[col.Name] = fullHash
	return env
}

// CollectSections runs every collector in order (sequentially: the agent must stay light).
func (c *Collecting) CollectSections(fs *hostfs.FS, collectors []Collector) map[string]any {
	sections := make(map[string]any, len(collectors))
	for _, col := range collectors {
		sections[col.Name] = c.CollectSection(fs, col)
	}
	return sections
}

var hostnamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$`)

// ReadHostname is the host name as the tree says (proc/sys/kernel/hostname, else etc/hostname).
func ReadHostname(fs *hostfs.FS) string {
	text, ok := fs.ReadTextOptional("proc/sys/kernel/hostname")
	if !ok {
		text, ok = fs.ReadTextOptional("etc/hostname")
	}
	name := ""
	if ok {
		// text.trim().split(/\s+/)[0]: JS whitespace (U+FEFF is, U+0085 is not), not strings.Fields'
		if fields := strings.FieldsFunc(text, values.IsJSSpace); len(fields) > 0 {
			name = fields[0]
		}
	}
	if hostnamePattern.MatchString(name) {
		return name
	}
	return "unknown"
}

// ISOTime formats t as JavaScript's Date.prototype.toISOString (UTC, milliseconds).
func ISOTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// BuildLocalReport is the report `once` prints: {collectedAt, agentVersion, hostname, sections}.
func (c *Collecting) BuildLocalReport(fs *hostfs.FS, now time.Time) map[string]any {
	sections := c.CollectSections(fs, SectionCollectors)
	return map[string]any{"collectedAt": ISOTime(now), "agentVersion": AgentVersion, "hostname": ReadHostname(fs), "sections": sections}
}
