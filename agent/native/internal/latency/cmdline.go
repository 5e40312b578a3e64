package latency

import (
	"regexp"
	"strconv"
	"strings"

	"nfvdeck/agent/internal/collectors/values"
)

// CmdlineOptions are the cyclictest options this project reads back from a command line
// (server/domain/latency/cyclictest/cmdline.ts); nil means not given.
type CmdlineOptions struct {
	HistogramSize *float64
	Nsecs         bool
	Priority      *float64
	IntervalUs    *float64
	Threads       *float64
	Affinity      *string
	MainAffinity  *string
	DurationS     *float64
}

var (
	durationPattern = regexp.MustCompile(`^(\d+)([smhdSMHD]?)$`)
	longOption      = regexp.MustCompile(`^--([a-z-]+)(?:=((?s).*))?$`)
	shortOption     = regexp.MustCompile(`^-([a-zA-Z])((?s).*)$`)
	digitsOnly      = regexp.MustCompile(`^\d+$`)
)

// ParseDuration reads cyclictest's -D value: "3s" "1m" "2h" "1d" or plain seconds.
func ParseDuration(text string) (float64, bool) {
	m := durationPattern.FindStringSubmatch(values.Trim(text))
	if m == nil {
		return 0, false
	}
	n := jsNumber(m[1])
	mult := map[string]float64{"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[strings.ToLower(m[2])]
	return n * mult, true
}

// jsNumber is Number() of a string of ASCII digits (exact for any length, like JS's correctly rounded parse).
func jsNumber(digits string) float64 {
	f, _ := strconv.ParseFloat(digits, 64)
	return f
}

// ParseCmdline pulls the options this project cares about out of a cyclictest command line (unknown
// options are skipped).
func ParseCmdline(cmdline string) CmdlineOptions {
	var out CmdlineOptions
	trimmed := values.Trim(cmdline)
	tokens := []string{""}
	if trimmed != "" {
		tokens = values.Fields(trimmed)
	}
	intOf := func(v *string) *float64 {
		if v == nil || !digitsOnly.MatchString(*v) {
			return nil
		}
		n := jsNumber(*v)
		return &n
	}
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		var name string
		var value *string
		if m := longOption.FindStringSubmatchIndex(tok); m != nil {
			name = tok[m[2]:m[3]]
			if m[4] >= 0 {
				v := tok[m[4]:m[5]]
				value = &v
			}
		} else if m := shortOption.FindStringSubmatch(tok); m != nil {
			name = m[1]
			if m[2] != "" {
				v := m[2]
				value = &v
			}
		} else {
			continue
		}
		inline := value != nil
		next := func() *string {
			if inline {
				return value
			}
			if i+1 < len(tokens) && !strings.HasPrefix(tokens[i+1], "-") {
				i++
				n := tokens[i]
				return &n
			}
			return nil
		}
		switch name {
		case "h", "histogram", "H", "histofall":
			if v := intOf(next()); v != nil {
				out.HistogramSize = v
			}
		case "N", "nsecs":
			out.Nsecs = true
		case "p", "priority":
			out.Priority = intOf(next())
		case "i", "interval":
			out.IntervalUs = intOf(next())
		case "t", "threads":
			out.Threads = intOf(next())
		case "a", "affinity":
			out.Affinity = next()
		case "mainaffinity":
			out.MainAffinity = next()
		case "D", "duration":
			v := next()
			out.DurationS = nil
			if v != nil {
				if d, ok := ParseDuration(*v); ok {
					out.DurationS = &d
				}
			}
		}
	}
	return out
}
