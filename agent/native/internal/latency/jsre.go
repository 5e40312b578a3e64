package latency

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"nfvdeck/agent/internal/collectors/values"
)

// JavaScript's \s (WhiteSpace + LineTerminator) and `.` (anything but a line terminator) as RE2
// classes: Go's \s is ASCII only and its `.` matches \r, U+2028 and U+2029.
const (
	jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`
	jsDot   = `[^\n\r\x{2028}\x{2029}]`
)

// jsRegexp compiles a pattern written with \s and `.` meaning what they mean in JavaScript.
func jsRegexp(pattern string) *regexp.Regexp {
	p := strings.ReplaceAll(pattern, `\s`, jsSpace)
	p = strings.ReplaceAll(p, `.`, jsDot)
	return regexp.MustCompile(p)
}

// jsTrimStart is String.prototype.trimStart.
func jsTrimStart(s string) string { return strings.TrimLeftFunc(s, values.IsJSSpace) }

// sliceUTF16 is s.slice(0, n) counted in UTF-16 code units; a pair cut in half becomes U+FFFD (a lone
// surrogate, which a Go string cannot hold and the report would clean to U+FFFD anyway).
func sliceUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			if units < n {
				return s[:i] + string(utf8.RuneError)
			}
			return s[:i]
		}
		units += w
	}
	return s
}
