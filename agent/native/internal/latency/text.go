package latency

import (
	"math"
	"regexp"
	"strings"

	"nfvdeck/agent/internal/collectors/values"
)

var footerKeys = []struct {
	key string
	re  *regexp.Regexp
}{
	{"total", jsRegexp(`^#\s*Total:(.*)$`)},
	{"min", jsRegexp(`^#\s*Min Latencies:(.*)$`)},
	{"avg", jsRegexp(`^#\s*Avg Latencies:(.*)$`)},
	{"max", jsRegexp(`^#\s*Max Latencies:(.*)$`)},
	{"overflows", jsRegexp(`^#\s*Histogram Overflows:(.*)$`)},
}

var (
	histogramHeader = jsRegexp(`^#\s*Histogram\s*$`)
	overflowHeader  = jsRegexp(`^#\s*Histogram Overflow at cycle number:\s*$`)
	threadOverflows = jsRegexp(`^#\s*Thread\s+(\d+):(.*)$`)
	othersTail      = jsRegexp(`^\s*\d+\s+others\s*$`)
	histogramRow    = jsRegexp(`^\d+(\s+\d+)+$`)
	lineBreak       = regexp.MustCompile(`\r?\n`)
)

const maxSafeInteger = 9007199254740991

func parseNumberList(rest string, line int, what string) ([]float64, error) {
	t := values.Trim(rest)
	if t == "" {
		return []float64{}, nil
	}
	parts := values.Fields(t)
	out := make([]float64, 0, len(parts))
	for _, p := range parts {
		if !digitsOnly.MatchString(p) {
			return nil, parseErr(line, "%s: '%s' is not a number", what, p)
		}
		n := jsNumber(p)
		if n > maxSafeInteger {
			return nil, parseErr(line, "%s: '%s' is too large", what, p)
		}
		out = append(out, n)
	}
	return out, nil
}

func splitLines(text string) []string {
	lines := lineBreak.Split(text, -1)
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type footerLine struct {
	values []float64
	line   int
}

type textRow struct {
	bucket float64
	counts []float64
	line   int
}

// ParseText reads cyclictest's histogram text of either generation (text.ts parseCyclictestText).
func ParseText(text string, opts ParseOptions) (*Result, error) {
	lines := splitLines(text)
	headerIdx := -1
	for i, l := range lines {
		if histogramHeader.MatchString(values.Trim(l)) {
			headerIdx = i
			break
		}
	}
	if headerIdx < 0 {
		return nil, parseErr(0, "no '# Histogram' line: not cyclictest histogram output (run with -h N)")
	}
	var rows []textRow
	footer := map[string]*footerLine{}
	footerStarted := false
	inOverflowList := false

	for i := headerIdx + 1; i < len(lines); i++ {
		lineNo := i + 1
		l := values.Trim(lines[i])
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			footerStarted = true
			matched := false
			for _, fk := range footerKeys {
				m := fk.re.FindStringSubmatch(l)
				if m == nil {
					continue
				}
				label := strings.SplitN(l, ":", 2)[0]
				if footer[fk.key] != nil {
					return nil, parseErr(lineNo, "duplicate '%s:' line", label)
				}
				values, err := parseNumberList(m[1], lineNo, label)
				if err != nil {
					return nil, err
				}
				footer[fk.key] = &footerLine{values: values, line: lineNo}
				matched = true
				inOverflowList = false
				break
			}
			if matched {
				continue
			}
			if overflowHeader.MatchString(l) {
				inOverflowList = true
				continue
			}
			if t := threadOverflows.FindStringSubmatch(l); t != nil && inOverflowList {
				// "c c c … # NNNNN others": the list is truncated; we only check it is well formed
				parts := strings.Split(t[2], "#")
				if _, err := parseNumberList(parts[0], lineNo, "overflow cycle list"); err != nil {
					return nil, err
				}
				if len(parts) > 1 && !othersTail.MatchString(parts[1]) {
					return nil, parseErr(lineNo, "overflow cycle list: expected '# NNNNN others', got '#%s'", parts[1])
				}
				continue
			}
			// other comment lines (# SMIs:, # Thread Ids:, …) carry nothing we store
			continue
		}
		if histogramRow.MatchString(l) {
			if footerStarted {
				return nil, parseErr(lineNo, "histogram row after the footer")
			}
			nums, err := parseNumberList(l, lineNo, "histogram row")
			if err != nil {
				return nil, err
			}
			bucket := nums[0]
			if len(rows) > 0 && bucket <= rows[len(rows)-1].bucket {
				return nil, parseErr(lineNo, "bucket %s does not follow bucket %s", num(bucket), num(rows[len(rows)-1].bucket))
			}
			rows = append(rows, textRow{bucket: bucket, counts: nums[1:], line: lineNo})
			continue
		}
		if footerStarted {
			return nil, parseErr(lineNo, "unexpected line after the footer: '%s'", sliceUTF16(l, 60))
		}
		return nil, parseErr(lineNo, "not a histogram row: '%s'", sliceUTF16(l, 60))
	}

	endLine := len(lines)
	need := func(key, label string) (*footerLine, error) {
		if f := footer[key]; f != nil {
			return f, nil
		}
		return nil, parseErr(endLine, "missing '# %s:' line (truncated output?)", label)
	}
	minF, err := need("min", "Min Latencies")
	if err != nil {
		return nil, err
	}
	avgF, err := need("avg", "Avg Latencies")
	if err != nil {
		return nil, err
	}
	maxF, err := need("max", "Max Latencies")
	if err != nil {
		return nil, err
	}
	ovfF, err := need("overflows", "Histogram Overflows")
	if err != nil {
		return nil, err
	}
	nThreads := len(minF.values)
	if nThreads == 0 {
		return nil, parseErr(minF.line, "'# Min Latencies:' lists no thread")
	}
	checkCount := func(f *footerLine, label string, sumAllowed bool) error {
		if len(f.values) == nThreads || (sumAllowed && len(f.values) == nThreads+1) {
			return nil
		}
		return parseErr(f.line, "'%s' has %d values for %d threads", label, len(f.values), nThreads)
	}
	if err := checkCount(avgF, "# Avg Latencies:", false); err != nil {
		return nil, err
	}
	if err := checkCount(maxF, "# Max Latencies:", true); err != nil {
		return nil, err
	}
	if err := checkCount(ovfF, "# Histogram Overflows:", true); err != nil {
		return nil, err
	}
	if f := footer["total"]; f != nil {
		if err := checkCount(f, "# Total:", true); err != nil {
			return nil, err
		}
	}

	histograms := make([]map[int64]float64, nThreads)
	for t := range histograms {
		histograms[t] = map[int64]float64{}
	}
	for _, r := range rows {
		if len(r.counts) == nThreads+1 {
			sum := 0.0
			for _, c := range r.counts[:nThreads] {
				sum += c
			}
			if sum != r.counts[nThreads] {
				return nil, parseErr(r.line, "sum column %s ≠ Σ of thread counts %s", num(r.counts[nThreads]), num(sum))
			}
		} else if len(r.counts) != nThreads {
			return nil, parseErr(r.line, "histogram row has %d counts for %d threads", len(r.counts), nThreads)
		}
		for t := 0; t < nThreads; t++ {
			if c := r.counts[t]; c > 0 {
				histograms[t][int64(r.bucket)] = c
			}
		}
	}

	var cmd *CmdlineOptions
	if opts.Cmdline != nil && *opts.Cmdline != "" {
		c := ParseCmdline(*opts.Cmdline)
		cmd = &c
	}
	var cmdSize *float64
	if cmd != nil {
		cmdSize = cmd.HistogramSize
	}
	total := footer["total"]
	full := total != nil
	var histogramSize float64
	var histogramSizeSource string
	statedSize, statedSource, stated := statedHistogramSize(opts, cmdSize)
	switch {
	case full:
		// ≤ 2.6 prints every bucket 0..N-1
		for idx, r := range rows {
			if r.bucket != float64(idx) {
				return nil, parseErr(r.line, "bucket %d missing (output with '# Total:' lists every bucket)", idx)
			}
		}
		histogramSize = float64(len(rows))
		histogramSizeSource = "rows"
		for t := 0; t < nThreads; t++ {
			s := sumBuckets(histograms[t])
			if t >= len(total.values) || s != total.values[t] {
				said := "undefined"
				if t < len(total.values) {
					said = num(total.values[t])
				}
				return nil, parseErr(total.line, "'# Total:' says %s for thread %d but its buckets sum to %s", said, t, num(s))
			}
		}
	case stated:
		histogramSize, histogramSizeSource = statedSize, statedSource
	default:
		// the size is not in ≥ 2.7 text: max bucket + 1 is the best lower bound the file allows
		histogramSize = 1
		if len(rows) > 0 {
			histogramSize = rows[len(rows)-1].bucket + 1
		}
		histogramSizeSource = "max-bucket"
	}
	for _, r := range rows {
		if r.bucket >= histogramSize {
			return nil, parseErr(r.line, "bucket %s ≥ histogram size %s", num(r.bucket), num(histogramSize))
		}
	}
	if histogramSize < 1 || math.IsNaN(histogramSize) {
		return nil, parseErr(headerIdx+1, "histogram has no bucket")
	}

	threads := make([]Thread, 0, nThreads)
	for t := 0; t < nThreads; t++ {
		overflows := 0.0
		if t < len(ovfF.values) {
			overflows = ovfF.values[t]
		}
		cycles := sumBuckets(histograms[t]) + overflows
		th := Thread{Thread: float64(t), Cycles: cycles, Overflows: overflows, Histogram: histograms[t]}
		if t < len(opts.Cpus) {
			c := opts.Cpus[t]
			th.Cpu = &c
		}
		if cycles > 0 {
			th.Min = at(minF.values, t)
			th.Avg = at(avgF.values, t)
			th.Max = at(maxF.values, t)
		}
		threads = append(threads, th)
	}
	unit := opts.Unit
	if unit == "" {
		unit = "us"
		if cmd != nil && cmd.Nsecs {
			unit = "ns"
		}
	}
	format := "text-sparse"
	if full {
		format = "text-full"
	}
	return &Result{
		Format:              format,
		Unit:                unit,
		HistogramSize:       histogramSize,
		HistogramSizeSource: histogramSizeSource,
		Cmdline:             opts.Cmdline,
		Threads:             threads,
	}, nil
}

func at(values []float64, i int) *float64 {
	if i >= len(values) {
		return nil
	}
	v := values[i]
	return &v
}
