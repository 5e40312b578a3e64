// Package irq collects the "irq" section (the Go port of agent/collectors/irq.ts): /proc/interrupts
// joined with each IRQ's smp_affinity_list, effective_affinity_list and (when debugfs is readable)
// whether its affinity is kernel-managed.
package irq

import (
	"math"
	"regexp"
	"strings"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
)

// InterruptRow is one /proc/interrupts line.
type InterruptRow struct {
	// IRQ is the numeric IRQ; Numbered is false for named rows (LOC, RES, …)
	IRQ      float64
	Numbered bool
	Label    string
	Counts   []float64
	Chip     *string
	Hwirq    *string
	// Name: action names for numbered IRQs, the description for named rows
	Name string
}

// ParsedInterrupts is /proc/interrupts parsed: the CPU columns, the rows, and how many lines were not rows.
type ParsedInterrupts struct {
	Columns   []float64
	Rows      []InterruptRow
	Malformed int
}

// hwirqType is /^(?:[0-9a-fx]+-)?(?:edge|level|fasteoi|Edge|Level)$|-(?:edge|level|fasteoi)$/i applied
// to the ASCII-lowered token: JS's /i (without /u) folds ASCII only, RE2's (?i) would also fold ſ to s.
var hwirqType = regexp.MustCompile(`^(?:[0-9a-fx]+-)?(?:edge|level|fasteoi)$|-(?:edge|level|fasteoi)$`)

var managedFlag = regexp.MustCompile(`\bIRQD_AFFINITY_MANAGED\b`)

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// fields is values.Fields (split on runs of JS whitespace) with a fast path for ASCII text, which
// /proc/interrupts is: a heartbeat splits every row of it.
func fields(s string) []string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return values.Fields(s)
		}
	}
	out := make([]string, 0, 8)
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// splitRow matches /^\s*([^\s:]+):(.*)$/ on one line: the label and the rest. JS's "." stops at \r,
// U+2028 and U+2029, so a rest holding one of them makes the line malformed.
func splitRow(line string) (label, rest string, ok bool) {
	s := strings.TrimLeftFunc(line, values.IsJSSpace)
	end := strings.IndexFunc(s, func(r rune) bool { return r == ':' || values.IsJSSpace(r) })
	if end <= 0 || s[end] != ':' {
		return "", "", false
	}
	rest = s[end+1:]
	if strings.IndexByte(rest, '\r') >= 0 || strings.Contains(rest, "\u2028") || strings.Contains(rest, "\u2029") {
		return "", "", false
	}
	return s[:end], rest, true
}

// ParseInterrupts parses /proc/interrupts. The header names the CPU columns (online CPUs only); each
// row has up to that many counts, then for numbered IRQs: chip, optional "hwirq-type", action names
// (may contain spaces).
func ParseInterrupts(text string) ParsedInterrupts {
	lines := strings.Split(text, "\n")
	header := lines[0]
	lines = lines[1:]
	columns := []float64{}
	for _, token := range fields(header) {
		if strings.HasPrefix(token, "CPU") && values.IsDigits(token[3:]) {
			columns = append(columns, values.DigitsNumber(token[3:]))
		}
	}
	maxCounts := len(columns)
	if maxCounts < 1 {
		maxCounts = 1
	}
	rows := []InterruptRow{}
	malformed := 0
	for _, line := range lines {
		if values.Trim(line) == "" {
			continue
		}
		label, rest, ok := splitRow(line)
		if !ok {
			malformed++
			continue
		}
		tokens := fields(rest)
		counts := []float64{}
		for len(counts) < maxCounts && len(tokens) > 0 && values.IsDigits(tokens[0]) {
			counts = append(counts, values.DigitsNumber(tokens[0]))
			tokens = tokens[1:]
		}
		if !values.IsDigits(label) {
			rows = append(rows, InterruptRow{Label: label, Counts: counts, Name: strings.Join(tokens, " ")})
			continue
		}
		row := InterruptRow{IRQ: values.DigitsNumber(label), Numbered: true, Label: label, Counts: counts}
		if len(tokens) > 0 {
			chip := tokens[0]
			row.Chip = &chip
			tokens = tokens[1:]
		}
		if len(tokens) > 0 && hwirqType.MatchString(asciiLower(tokens[0])) {
			hwirq := tokens[0]
			row.Hwirq = &hwirq
			tokens = tokens[1:]
		}
		row.Name = strings.Join(tokens, " ")
		rows = append(rows, row)
	}
	return ParsedInterrupts{Columns: columns, Rows: rows, Malformed: malformed}
}

// IsManagedIRQ: debugfs irq/irqs/N lists the IRQ's state flags; a managed IRQ's affinity is set by the
// kernel and cannot be changed.
func IsManagedIRQ(debugfsText string) bool {
	return managedFlag.MatchString(debugfsText)
}

// Text is an optional file's contents (Present false when it could not be read).
type Text struct {
	Text    string
	Present bool
}

// Affinity is what /proc/irq/N and debugfs say about one IRQ.
type Affinity struct {
	SmpAffinityList       Text
	EffectiveAffinityList Text
	Debugfs               Text
}

// Raw is what Read gathers, parsed by Parse.
type Raw struct {
	Interrupts         Text
	DefaultSmpAffinity Text
	Affinity           map[float64]Affinity
}

func cpusWithCounts(columns, counts []float64) []float64 {
	out := []float64{}
	for i, n := range counts {
		cpu := float64(i)
		if i < len(columns) {
			cpu = columns[i]
		}
		if n > 0 {
			out = append(out, cpu)
		}
	}
	return out
}

func sum(counts []float64) float64 {
	total := 0.0
	for _, n := range counts {
		total += n
	}
	return total
}

func ptrText(p *string, max int) any {
	if p == nil {
		return nil
	}
	return values.SliceText(*p, max)
}

// Parse builds the irq section (pure).
func Parse(raw Raw) map[string]any {
	return parse(raw, ParseInterrupts(raw.Interrupts.Text))
}

func parse(raw Raw, parsed ParsedInterrupts) map[string]any {
	warnings := values.NewWarnings()
	if parsed.Malformed > 0 {
		warnings.Add("/proc/interrupts: " + numberText(float64(parsed.Malformed)) + " malformed line(s) skipped")
	}
	list := func(t Text, what string) any {
		if !t.Present {
			return nil
		}
		cpus, ok := values.TryParseCPUList(t.Text)
		if !ok {
			warnings.Add(what + ": not a cpu list: " + values.QuoteSliced(values.Trim(t.Text), 80))
			return nil
		}
		return cpus
	}
	irqs := []any{}
	other := []any{}
	for _, row := range parsed.Rows {
		total := sum(row.Counts)
		if !row.Numbered {
			other = append(other, map[string]any{
				"name":           values.SliceText(row.Label, 64),
				"description":    values.SliceText(row.Name, 1024),
				"total":          total,
				"cpusWithCounts": cpusWithCounts(parsed.Columns, row.Counts),
			})
			continue
		}
		aff := raw.Affinity[row.IRQ]
		irq := numberText(row.IRQ)
		var managed any
		if aff.Debugfs.Present {
			managed = IsManagedIRQ(aff.Debugfs.Text)
		}
		irqs = append(irqs, map[string]any{
			"irq":               row.IRQ,
			"name":              values.SliceText(row.Name, 1024),
			"chip":              ptrText(row.Chip, 1024),
			"hwirq":             ptrText(row.Hwirq, 1024),
			"total":             total,
			"cpusWithCounts":    cpusWithCounts(parsed.Columns, row.Counts),
			"smpAffinity":       list(aff.SmpAffinityList, "irq "+irq+" smp_affinity_list"),
			"effectiveAffinity": list(aff.EffectiveAffinityList, "irq "+irq+" effective_affinity_list"),
			"managed":           managed,
		})
	}
	var defaultSmpAffinity any
	if raw.DefaultSmpAffinity.Present {
		if cpus, ok := values.TryParseCPUMask(raw.DefaultSmpAffinity.Text); ok {
			defaultSmpAffinity = cpus
		}
	}
	if len(other) > 256 {
		other = other[:256]
	}
	return map[string]any{
		"columns":            parsed.Columns,
		"defaultSmpAffinity": defaultSmpAffinity,
		"irqs":               irqs,
		"other":              other,
		"warnings":           warnings.Items,
	}
}

func optional(fs *hostfs.FS, rel string) Text {
	text, ok := fs.ReadTextOptional(rel)
	return Text{text, ok}
}

// ReadRaw reads /proc/interrupts and, for every numbered IRQ in it, its affinity files.
func ReadRaw(fs *hostfs.FS) (Raw, error) {
	raw, _, err := readRaw(fs)
	return raw, err
}

// readRaw also returns /proc/interrupts parsed, so Read parses it once (the TS agent parses it twice).
func readRaw(fs *hostfs.FS) (Raw, ParsedInterrupts, error) {
	text, ok, err := fs.ReadText("proc/interrupts")
	if err != nil {
		return Raw{}, ParsedInterrupts{}, err
	}
	raw := Raw{Interrupts: Text{text, ok}, Affinity: map[float64]Affinity{}}
	// debugfs (root only, when mounted) is the one place that says whether an IRQ is kernel-managed.
	_, debugfs, err := fs.ListDir("sys/kernel/debug/irq/irqs")
	debugfs = debugfs && err == nil
	parsed := ParseInterrupts(text)
	for _, row := range parsed.Rows {
		if !row.Numbered {
			continue
		}
		irq := numberText(row.IRQ)
		a := Affinity{
			SmpAffinityList:       optional(fs, "proc/irq/"+irq+"/smp_affinity_list"),
			EffectiveAffinityList: optional(fs, "proc/irq/"+irq+"/effective_affinity_list"),
		}
		if debugfs {
			a.Debugfs = optional(fs, "sys/kernel/debug/irq/irqs/"+irq)
		}
		raw.Affinity[row.IRQ] = a
	}
	raw.DefaultSmpAffinity = optional(fs, "proc/irq/default_smp_affinity")
	return raw, parsed, nil
}

// Read returns the irq section, or nil when /proc/interrupts is absent.
func Read(fs *hostfs.FS) (any, error) {
	raw, parsed, err := readRaw(fs)
	if err != nil {
		return nil, err
	}
	if !raw.Interrupts.Present {
		return nil, nil
	}
	return parse(raw, parsed), nil
}

// numberText is String(n): values.NumberText is JSON's text, "null" for the Infinity a 400-digit
// number in the input gives; JavaScript's template literals write "Infinity".
func numberText(n float64) string {
	if math.IsInf(n, 1) {
		return "Infinity"
	}
	return values.NumberText(n)
}
