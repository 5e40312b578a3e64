package latency

import (
	"fmt"
	"sort"
	"strconv"

	"nfvdeck/agent/internal/collectors/values"
)

// ParseError is a malformed cyclictest output; Line is 1-based, 0 when it concerns the whole input.
type ParseError struct {
	Message string
	Line    int
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

func parseErr(line int, format string, args ...any) *ParseError {
	return &ParseError{Message: fmt.Sprintf(format, args...), Line: line}
}

// Thread is one measurement thread's totals; Min/Avg/Max are nil when it recorded no cycle, Cpu nil
// when unknown. Numbers are float64 as in JavaScript.
type Thread struct {
	Thread    float64
	Cpu       *float64
	Cycles    float64
	Overflows float64
	Min       *float64
	Avg       *float64
	Max       *float64
	// bucket → count, non-empty buckets only
	Histogram map[int64]float64
}

// Result is what the parsers return (server/domain/latency/cyclictest/result.ts).
type Result struct {
	Format              string // "text-full" | "text-sparse" | "json"
	Unit                string // "us" | "ns"
	HistogramSize       float64
	HistogramSizeSource string // "rows" | "cmdline" | "option" | "max-bucket"
	ToolVersion         *string
	Cmdline             *string
	StartTime           *string
	EndTime             *string
	Threads             []Thread
}

// ParseOptions are what the caller knows beyond the output; zero values mean unknown.
type ParseOptions struct {
	Unit          string // "" | "us" | "ns"
	Cmdline       *string
	HistogramSize *float64
	Cpus          []float64
}

func statedHistogramSize(opts ParseOptions, cmdlineSize *float64) (float64, string, bool) {
	if opts.HistogramSize != nil {
		return *opts.HistogramSize, "option", true
	}
	if cmdlineSize != nil && *cmdlineSize != 0 {
		return *cmdlineSize, "cmdline", true
	}
	return 0, "", false
}

func sumBuckets(h map[int64]float64) float64 {
	keys := sortedBuckets(h)
	s := 0.0
	for _, k := range keys {
		s += h[k]
	}
	return s
}

func sortedBuckets(h map[int64]float64) []int64 {
	keys := make([]int64, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// HistogramRecord is the stored form: {"17": 4, "18": 1203}, non-empty buckets only.
func HistogramRecord(h map[int64]float64) map[string]any {
	out := make(map[string]any, len(h))
	for k, c := range h {
		if c > 0 {
			out[strconv.FormatInt(k, 10)] = c
		}
	}
	return out
}

func optNumber(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func optString(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// ThreadsTree is storedThreads(): the threads as plain JSON trees.
func ThreadsTree(threads []Thread) []any {
	out := make([]any, 0, len(threads))
	for _, t := range threads {
		out = append(out, map[string]any{
			"thread":    t.Thread,
			"cpu":       optNumber(t.Cpu),
			"cycles":    t.Cycles,
			"overflows": t.Overflows,
			"min":       optNumber(t.Min),
			"avg":       optNumber(t.Avg),
			"max":       optNumber(t.Max),
			"histogram": HistogramRecord(t.Histogram),
		})
	}
	return out
}

// Tree is the result as a plain JSON tree (histograms as records), the shape the parity files hold.
func (r *Result) Tree() map[string]any {
	return map[string]any{
		"format":              r.Format,
		"unit":                r.Unit,
		"histogramSize":       r.HistogramSize,
		"histogramSizeSource": r.HistogramSizeSource,
		"toolVersion":         optString(r.ToolVersion),
		"cmdline":             optString(r.Cmdline),
		"startTime":           optString(r.StartTime),
		"endTime":             optString(r.EndTime),
		"threads":             ThreadsTree(r.Threads),
	}
}

// Parse reads either format, decided by the first non-blank character (parse.ts parseCyclictest).
func Parse(text string, opts ParseOptions) (*Result, error) {
	if values.Trim(text) == "" {
		return nil, parseErr(0, "empty input")
	}
	if len(jsTrimStart(text)) > 0 && jsTrimStart(text)[0] == '{' {
		return ParseJSON(text, opts)
	}
	return ParseText(text, opts)
}
