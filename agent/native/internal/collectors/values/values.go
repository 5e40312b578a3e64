// Package values holds the small pure helpers the collectors share: the Go port of
// agent/collectors/values.ts (single-value sysfs/procfs files; garbage gives "absent", never a panic),
// JavaScript's String.prototype.trim and \s, and UTF-16 slicing as JS does it.
package values

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"nfvdeck/agent/internal/jsonx"
)

// IsJSSpace reports whether r is matched by JavaScript's \s and removed by String.prototype.trim
// (WhiteSpace + LineTerminator). Not unicode.IsSpace: that includes U+0085 and omits U+FEFF.
func IsJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// Trim is String.prototype.trim.
func Trim(s string) string {
	return strings.TrimFunc(s, IsJSSpace)
}

// Fields splits on runs of JS whitespace, dropping empty pieces (s.split(/\s+/).filter(x => x !== "")).
func Fields(s string) []string {
	out := strings.FieldsFunc(s, IsJSSpace)
	if out == nil {
		out = []string{}
	}
	return out
}

// UTF16Len is a JS string's .length.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// SliceUTF16 is s.slice(0, max) in UTF-16 code units. cutPair is true when the cut fell inside a
// surrogate pair: JS then keeps a lone high surrogate, which Go text cannot hold; the caller decides
// (cleanText would make it U+FFFD, JSON.stringify writes it as \udXXX).
func SliceUTF16(s string, max int) (head string, cutPair bool, hi rune) {
	units := 0
	for i, r := range s {
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > max {
			if n == 2 && units+1 == max {
				return s[:i], true, 0xD800 + ((r - 0x10000) >> 10)
			}
			return s[:i], false, 0
		}
		units += n
	}
	return s, false, 0
}

// SliceText is s.slice(0, max) as it reads once cleaned: a half surrogate pair becomes U+FFFD.
func SliceText(s string, max int) string {
	head, cut, _ := SliceUTF16(s, max)
	if cut {
		return head + "\ufffd"
	}
	return head
}

// QuoteSliced is JSON.stringify(s.slice(0, max)), a half surrogate pair written as \udXXX as JS does.
func QuoteSliced(s string, max int) string {
	head, cut, hi := SliceUTF16(s, max)
	b := jsonx.AppendString(nil, head)
	if cut {
		b = b[:len(b)-1]
		b = append(b, `\u`...)
		b = strconv.AppendInt(b, int64(hi), 16)
		b = append(b, '"')
	}
	return string(b)
}

// NumberText is String(n) for a JS number.
func NumberText(n float64) string {
	return string(jsonx.AppendNumber(nil, n))
}

// IsDigits: /^\d+$/ (ASCII digits, at least one).
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DigitsNumber is Number(s) for a string of ASCII digits (correctly rounded, like JS).
func DigitsNumber(s string) float64 {
	if len(s) <= 15 { // exact in a float64: the common case (a heartbeat parses thousands), without ParseFloat
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return float64(n)
	}
	f, _ := strconv.ParseFloat(s, 64) // only a range error is possible: then ±Inf, as Number gives
	return f
}

const maxSafeInteger = 1<<53 - 1

// ParseIntValue is parseIntValue: an optional "-" and decimal digits (after trimming) that make a safe
// integer, else ok=false. The result is the JS number (so "-0" is -0, written "0" in JSON).
func ParseIntValue(text string, present bool) (float64, bool) {
	if !present {
		return 0, false
	}
	t := Trim(text)
	digits := strings.TrimPrefix(t, "-")
	if !IsDigits(digits) {
		return 0, false
	}
	n := DigitsNumber(digits)
	if digits != t {
		n = -n
	}
	if math.Abs(n) > maxSafeInteger {
		return 0, false
	}
	return n, true
}

// IntOrNil is ParseIntValue as a section value: the number, or nil (null).
func IntOrNil(text string, present bool) any {
	if n, ok := ParseIntValue(text, present); ok {
		return n
	}
	return nil
}

// ParseBoolValue is parseBoolValue: y/1/on/yes/true → true, n/0/off/no/false → false, else ok=false.
func ParseBoolValue(text string, present bool) (value bool, ok bool) {
	if !present {
		return false, false
	}
	switch strings.ToLower(Trim(text)) { // the accepted words are ASCII: ToLower's wider mapping cannot matter
	case "y", "1", "on", "yes", "true":
		return true, true
	case "n", "0", "off", "no", "false":
		return false, true
	}
	return false, false
}

// BoolOrNil is ParseBoolValue as a section value: true, false or nil.
func BoolOrNil(text string, present bool) any {
	if v, ok := ParseBoolValue(text, present); ok {
		return v
	}
	return nil
}

// ParseWordValue is parseWordValue: cleaned, trimmed, clipped to max UTF-16 units; ok=false when
// missing or empty (a value of only NULs or control bytes is "missing").
func ParseWordValue(text string, present bool, max int) (string, bool) {
	if !present {
		return "", false
	}
	t := Trim(jsonx.CleanText(text))
	if t == "" {
		return "", false
	}
	return jsonx.ClipText(t, max), true
}

// WordOrNil is ParseWordValue as a section value: the string or nil.
func WordOrNil(text string, present bool, max int) any {
	if s, ok := ParseWordValue(text, present, max); ok {
		return s
	}
	return nil
}

// IndexedName is indexedName: "cpu12" with prefix "cpu" → 12; anything else → ok=false.
func IndexedName(name, prefix string) (int, bool) {
	if !strings.HasPrefix(name, prefix) {
		return 0, false
	}
	rest := name[len(prefix):]
	if !IsDigits(rest) {
		return 0, false
	}
	n := DigitsNumber(rest)
	// Number() keeps a huge index (cpu99999999999999999999 → 1e20) and the section's schema then
	// refuses it: keep it too. Up to 2^63 the int is the JS number exactly; beyond, MaxInt64 stands in
	// (as far past every schema bound, sorted last, and its path cpu9223372036854775807 is not there).
	if n >= 1<<63 {
		return math.MaxInt64, true
	}
	return int(n), true
}

// IndexedEntries is indexedEntries: sorted numeric indices of names like cpu0, node1 (nil list → empty).
func IndexedEntries(names []string, prefix string) []int {
	out := []int{}
	for _, n := range names {
		if i, ok := IndexedName(n, prefix); ok {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}

// Warnings is a bounded warnings list: collectors tolerate bad fields one by one and say which.
type Warnings struct {
	Items []string
	Max   int
}

// NewWarnings returns a list of at most 50 warnings (values.ts's default).
func NewWarnings() *Warnings {
	return &Warnings{Items: []string{}, Max: 50}
}

// Add appends a warning clipped to 500 UTF-16 units; past Max, one "… more warnings omitted" line.
func (w *Warnings) Add(message string) {
	if len(w.Items) < w.Max {
		w.Items = append(w.Items, jsonx.ClipText(message, 500))
	} else if len(w.Items) == w.Max {
		w.Items = append(w.Items, "… more warnings omitted")
	}
}
