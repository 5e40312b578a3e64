package jsonx

import (
	"strings"
	"unicode/utf8"
)

// CleanText is agent/report/clean-text.ts's cleanText: NUL and the other C0 controls except tab and
// newline are removed (lone surrogates cannot occur in Go text: DecodeUTF8 already made them U+FFFD).
func CleanText(s string) string {
	dirty := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' {
			dirty = true
			break
		}
	}
	if !dirty && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // ranging over invalid UTF-8 yields U+FFFD per bad byte; DecodeUTF8 output has none
		if r < 0x20 && r != '\t' && r != '\n' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ClipText keeps at most max UTF-16 code units, never cutting a surrogate pair (clipText).
func ClipText(s string, max int) string {
	units := 0
	for i, r := range s {
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > max {
			return s[:i]
		}
		units += n
	}
	return s
}

// CleanValue applies CleanText to every string and object key, at any depth (cleanStrings).
func CleanValue(v any) any {
	switch x := v.(type) {
	case string:
		return CleanText(x)
	case []any:
		for i, e := range x {
			x[i] = CleanValue(e)
		}
		return x
	case []string:
		for i, e := range x {
			x[i] = CleanText(e)
		}
		return x
	case map[string]any:
		for k, e := range x {
			c := CleanText(k)
			if c != k {
				delete(x, k)
			}
			x[c] = CleanValue(e)
		}
		return x
	case []map[string]any:
		for i, e := range x {
			x[i] = CleanValue(e).(map[string]any)
		}
		return x
	default:
		return v
	}
}
