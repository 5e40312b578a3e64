package latency

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"

	"nfvdeck/agent/internal/jsonx"
)

var sanitizePattern = regexp.MustCompile(`(?i)"(?:[^"\\]|\\` + jsDot + `)*"|-?\b(?:nan|inf(?:inity)?)\b`)

// SanitizeJSON replaces bare nan/-nan/inf/-inf tokens (printf of a double) outside strings by null,
// so the JSON parses; string literals are matched first and kept.
func SanitizeJSON(text string) string {
	return sanitizePattern.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			return m
		}
		return "null"
	})
}

// object is a decoded JSON object with JavaScript's own-key order (jsonx.Object).
type object = jsonx.Object

// decodeOrdered is JSON.parse: objects as *object, arrays []any, numbers float64 (±Inf beyond range).
func decodeOrdered(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	v, err := jsonx.DecodeJSValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
		}
		return nil, err
	}
	return v, nil
}

func lineAt(text string, pos int) int {
	if pos > len(text) {
		pos = len(text)
	}
	if pos < 0 {
		pos = 0
	}
	return 1 + strings.Count(text[:pos], "\n")
}

func lineOf(text, needle string) int {
	pos := strings.Index(text, needle)
	if pos < 0 {
		return 0
	}
	return lineAt(text, pos)
}

func isFiniteNumber(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func isSafeInteger(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0) && f == math.Trunc(f) && math.Abs(f) <= maxSafeInteger
}

// ParseJSON reads cyclictest --json output (json.ts parseCyclictestJson).
func ParseJSON(text string, opts ParseOptions) (*Result, error) {
	clean := SanitizeJSON(text)
	parsed, err := decodeOrdered(clean)
	if err != nil {
		line := 0
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line = lineAt(clean, int(syn.Offset)-1)
		} else {
			line = lineAt(clean, len(clean))
		}
		return nil, parseErr(line, "invalid JSON: %s", err.Error())
	}
	doc, ok := parsed.(*object)
	if !ok {
		return nil, parseErr(1, "JSON output is not an object")
	}
	str := func(keys ...string) *string {
		for _, k := range keys {
			if v, ok := doc.Value(k).(string); ok {
				return &v
			}
		}
		return nil
	}
	cmdline := str("cmdline:", "cmdline")
	if cmdline == nil {
		cmdline = opts.Cmdline
	}
	toolVersion := str("rt_test_version:", "rt_test_version")
	var cmd *CmdlineOptions
	if cmdline != nil && *cmdline != "" {
		c := ParseCmdline(*cmdline)
		cmd = &c
	}
	unit := opts.Unit
	if unit == "" {
		unit = "us"
		if r, ok := doc.Value("resolution_in_ns").(float64); (ok && r == 1) || (cmd != nil && cmd.Nsecs) {
			unit = "ns"
		}
	}
	threadObj, ok := doc.Value("thread").(*object)
	if !ok {
		line := lineOf(text, `"thread"`)
		if line == 0 {
			line = 1
		}
		return nil, parseErr(line, `no "thread" object`)
	}

	var threads []Thread
	maxBucket := -1.0
	for _, key := range threadObj.Keys() {
		value := threadObj.Value(key)
		line := lineOf(text, `"`+key+`":`)
		if !digitsOnly.MatchString(key) {
			return nil, parseErr(line, "thread key '%s' is not a number", key)
		}
		rec, ok := value.(*object)
		if !ok {
			return nil, parseErr(line, "thread %s is not an object", key)
		}
		numberOf := func(k string, nullable bool) (*float64, error) {
			v, present := rec.Get(k)
			if present && v == nil && nullable {
				return nil, nil
			}
			f, ok := isFiniteNumber(v)
			if !ok {
				return nil, parseErr(line, `thread %s: "%s" is missing or not a number`, key, k)
			}
			return &f, nil
		}
		cyclesP, err := numberOf("cycles", false)
		if err != nil {
			return nil, err
		}
		cycles := *cyclesP
		if !isSafeInteger(cycles) || cycles < 0 {
			return nil, parseErr(line, "thread %s: bad cycles %s", key, num(cycles))
		}
		hist, ok := rec.Value("histogram").(*object)
		if !ok {
			return nil, parseErr(line, `thread %s: no "histogram" (run cyclictest with -h N)`, key)
		}
		histogram, err := histogramOf(hist)
		if err != nil {
			return nil, parseErr(line, "thread %s: histogram: %s", key, err.Error())
		}
		for b := range histogram {
			maxBucket = math.Max(maxBucket, float64(b))
		}
		overflows := cycles - sumBuckets(histogram)
		if overflows < 0 {
			return nil, parseErr(line, "thread %s: histogram counts exceed cycles (%s)", key, num(cycles))
		}
		th := Thread{Thread: jsNumber(key), Cycles: cycles, Overflows: overflows, Histogram: histogram}
		if c, ok := rec.Value("cpu").(float64); ok && c == math.Trunc(c) && !math.IsInf(c, 0) && c >= 0 {
			th.Cpu = &c
		} else if i := jsNumber(key); i < float64(len(opts.Cpus)) {
			c := opts.Cpus[int(i)]
			th.Cpu = &c
		}
		if cycles > 0 {
			if th.Min, err = numberOf("min", true); err != nil {
				return nil, err
			}
			if th.Avg, err = numberOf("avg", true); err != nil {
				return nil, err
			}
			if th.Max, err = numberOf("max", true); err != nil {
				return nil, err
			}
		}
		threads = append(threads, th)
	}
	if len(threads) == 0 {
		return nil, parseErr(lineOf(text, `"thread"`), `"thread" object is empty`)
	}
	sort.SliceStable(threads, func(i, j int) bool { return threads[i].Thread < threads[j].Thread })

	var cmdSize *float64
	if cmd != nil {
		cmdSize = cmd.HistogramSize
	}
	histogramSize, source, stated := statedHistogramSize(opts, cmdSize)
	if !stated {
		histogramSize, source = math.Max(1, maxBucket+1), "max-bucket"
	}
	if maxBucket >= histogramSize {
		return nil, parseErr(0, "bucket %s ≥ histogram size %s", num(maxBucket), num(histogramSize))
	}
	return &Result{
		Format:              "json",
		Unit:                unit,
		HistogramSize:       histogramSize,
		HistogramSizeSource: source,
		ToolVersion:         toolVersion,
		Cmdline:             cmdline,
		StartTime:           str("start_time"),
		EndTime:             str("end_time"),
		Threads:             threads,
	}, nil
}

// histogramOf is histogramEntries() of the JSON record, without empty buckets.
func histogramOf(hist *object) (map[int64]float64, error) {
	type entry struct {
		bucket float64
		count  float64
	}
	entries := make([]entry, 0, hist.Len())
	for _, k := range hist.Keys() {
		bucket := math.NaN()
		if digitsOnly.MatchString(k) {
			bucket = jsNumber(k)
		}
		if !isSafeInteger(bucket) || bucket < 0 {
			return nil, fmt.Errorf("bad bucket key %s", k)
		}
		count, ok := hist.Value(k).(float64)
		if !ok {
			count = math.NaN()
		}
		if !isSafeInteger(count) || count < 0 {
			return nil, fmt.Errorf("bad count %s for bucket %s", num(count), num(bucket))
		}
		entries = append(entries, entry{bucket, count})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].bucket < entries[j].bucket })
	out := make(map[int64]float64, len(entries))
	for _, e := range entries {
		if e.count > 0 {
			out[int64(e.bucket)] = e.count
		}
	}
	return out, nil
}

// num is String(n) of a JavaScript number.
func num(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return string(jsonx.AppendNumber(nil, f))
}
