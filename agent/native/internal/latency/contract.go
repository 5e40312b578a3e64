package latency

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// The bounds of server/contract/sections/latency.ts and common.ts.
const (
	maxHistogramSize    = 1_000_000
	maxHistogramEntries = 100_000
	timestampMaxAge     = 10 * 366 * 24 * time.Hour
	timestampMaxAhead   = 24 * time.Hour
)

var (
	bucketKeyPattern = regexp.MustCompile(`^(0|[1-9]\d{0,6})$`)
	isoDatetime      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)
)

// CheckRun applies latencyRunSchema (fields, bounds and its superRefine) to a run tree; it returns
// the problems as "path: message", none when the run passes. now is the clock recentTimestamp uses.
func CheckRun(run map[string]any, now time.Time) []string {
	var problems []string
	bad := func(path, format string, args ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, args...))
	}
	number := func(path string, v any, nullable, integer bool, lo, hi float64, loExclusive bool) (float64, bool) {
		if v == nil && nullable {
			return 0, false
		}
		f, ok := v.(float64)
		if !ok {
			bad(path, "expected number")
			return 0, false
		}
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			bad(path, "expected a finite number")
		case integer && f != math.Trunc(f):
			bad(path, "expected int")
		case f < lo || (loExclusive && f == lo):
			bad(path, "too small: %s", num(f))
		case f > hi:
			bad(path, "too big: %s", num(f))
		}
		return f, true
	}
	text := func(path string, v any, nullable bool, lo, hi int) {
		if v == nil && nullable {
			return
		}
		s, ok := v.(string)
		if !ok {
			bad(path, "expected string")
			return
		}
		if n := utf16Len(s); n < lo || n > hi {
			bad(path, "length %d outside %d..%d", n, lo, hi)
		}
	}
	allowed := map[string]bool{"runKey": true, "startedAt": true, "durationS": true, "toolVersion": true, "cmdline": true, "priority": true, "intervalUs": true, "load": true, "unit": true, "histogramSize": true, "threads": true}
	for k := range run {
		if !allowed[k] {
			bad(k, "unrecognized key")
		}
	}
	text("runKey", run["runKey"], false, 1, 128)
	if s, ok := run["startedAt"].(string); !ok || !isoDatetime.MatchString(s) {
		bad("startedAt", "invalid ISO datetime")
	} else if t, err := time.Parse(time.RFC3339Nano, s); err != nil {
		bad("startedAt", "not a valid date")
	} else if t.After(now.Add(timestampMaxAhead)) {
		bad("startedAt", "more than 24 h ahead of the server's clock")
	} else if t.Before(now.Add(-timestampMaxAge)) {
		bad("startedAt", "more than 10 years before the server's clock")
	}
	number("durationS", run["durationS"], false, false, 0, 31*86400, false)
	text("toolVersion", run["toolVersion"], true, 0, 1024)
	text("cmdline", run["cmdline"], true, 0, 4096)
	number("priority", run["priority"], true, true, 0, 99, false)
	number("intervalUs", run["intervalUs"], true, true, 0, 3_600_000_000, true)
	text("load", run["load"], false, 1, 256)
	if u := run["unit"]; u != "us" && u != "ns" {
		bad("unit", "expected \"us\" or \"ns\"")
	}
	size, sizeOK := number("histogramSize", run["histogramSize"], false, true, 0, maxHistogramSize, true)
	threads, ok := run["threads"].([]any)
	if !ok {
		bad("threads", "expected array")
		return problems
	}
	if len(threads) < 1 || len(threads) > 4096 {
		bad("threads", "needs 1..4096 threads, has %d", len(threads))
	}
	seen := map[float64]bool{}
	for i, tv := range threads {
		p := "threads." + strconv.Itoa(i)
		t, ok := tv.(map[string]any)
		if !ok {
			bad(p, "expected object")
			continue
		}
		for k := range t {
			switch k {
			case "thread", "cpu", "cycles", "overflows", "min", "avg", "max", "histogram":
			default:
				bad(p+"."+k, "unrecognized key")
			}
		}
		thread, _ := number(p+".thread", t["thread"], false, true, 0, 65535, false)
		number(p+".cpu", t["cpu"], true, true, 0, 65535, false)
		cycles, _ := number(p+".cycles", t["cycles"], false, true, 0, maxSafeInteger, false)
		overflows, _ := number(p+".overflows", t["overflows"], false, true, 0, maxSafeInteger, false)
		minV, hasMin := number(p+".min", t["min"], true, false, 0, 1e12, false)
		number(p+".avg", t["avg"], true, false, 0, 1e12, false)
		maxV, hasMax := number(p+".max", t["max"], true, false, 0, 1e12, false)
		hist, ok := t["histogram"].(map[string]any)
		if !ok {
			bad(p+".histogram", "expected record")
			continue
		}
		if len(hist) > maxHistogramEntries {
			bad(p+".histogram", "more than %d buckets", maxHistogramEntries)
		}
		keys := make([]string, 0, len(hist))
		for k := range hist {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sum := 0.0
		for _, k := range keys {
			if !bucketKeyPattern.MatchString(k) {
				bad(p+".histogram."+k, "bucket key must be a decimal integer")
				continue
			}
			c, _ := number(p+".histogram."+k, hist[k], false, true, 0, maxSafeInteger, false)
			if b, _ := strconv.ParseFloat(k, 64); sizeOK && b >= size {
				bad(p+".histogram."+k, "bucket ≥ histogramSize %s", num(size))
			}
			sum += c
		}
		if seen[thread] {
			bad(p+".thread", "duplicate thread number")
		}
		seen[thread] = true
		if sum+overflows != cycles {
			bad(p+".cycles", "cycles %s ≠ Σ buckets %s + overflows %s", num(cycles), num(sum), num(overflows))
		}
		if hasMin && hasMax && minV > maxV {
			bad(p+".min", "min > max")
		}
	}
	return problems
}
