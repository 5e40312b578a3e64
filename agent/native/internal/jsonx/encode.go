// Package jsonx encodes values exactly as JavaScript's JSON.stringify does (number text, string
// escapes), so the Go agent's canonical hashes equal the TypeScript agent's and the server's
// (server/contract/canonical.ts). Values are the plain trees collectors build: nil, bool, string,
// numbers, []any, map[string]any (and a few typed slices and maps). Object keys are written sorted,
// which is what canonicalJson does anyway; wire order does not matter to the server's zod schemas.
package jsonx

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Marshal returns the compact JSON text of v (JSON.stringify(v) with keys sorted).
func Marshal(v any) ([]byte, error) {
	e := encoder{}
	if err := e.value(v, ""); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// MarshalIndent is JSON.stringify(v, null, indent) with keys sorted.
func MarshalIndent(v any, indent string) ([]byte, error) {
	e := encoder{indent: indent}
	if err := e.value(v, ""); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// MarshalOmit is Marshal leaving out every object key in omit, at any depth (sectionHash's volatile keys).
func MarshalOmit(v any, omit map[string]bool) ([]byte, error) {
	e := encoder{omit: omit}
	if err := e.value(v, ""); err != nil {
		return nil, err
	}
	return e.buf, nil
}

type encoder struct {
	buf    []byte
	indent string
	omit   map[string]bool
}

func (e *encoder) newline(prefix string) {
	if e.indent != "" {
		e.buf = append(e.buf, '\n')
		e.buf = append(e.buf, prefix...)
	}
}

func (e *encoder) value(v any, prefix string) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		if x {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case string:
		e.buf = AppendString(e.buf, x)
	case float64:
		e.buf = AppendNumber(e.buf, x)
	case float32:
		e.buf = AppendNumber(e.buf, float64(x))
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = AppendNumber(e.buf, float64(x))
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case uint64:
		e.buf = AppendNumber(e.buf, float64(x))
	case uint32:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case []any:
		return e.array(len(x), func(i int) any { return x[i] }, prefix)
	case []string:
		return e.array(len(x), func(i int) any { return x[i] }, prefix)
	case []float64:
		return e.array(len(x), func(i int) any { return x[i] }, prefix)
	case []int:
		return e.array(len(x), func(i int) any { return x[i] }, prefix)
	case []map[string]any:
		return e.array(len(x), func(i int) any { return x[i] }, prefix)
	case map[string]any:
		return e.object(x, prefix)
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			if rv.Kind() == reflect.Slice && rv.IsNil() {
				e.buf = append(e.buf, "null"...)
				return nil
			}
			return e.array(rv.Len(), func(i int) any { return rv.Index(i).Interface() }, prefix)
		case reflect.Map:
			if rv.Type().Key().Kind() != reflect.String {
				return fmt.Errorf("jsonx: map key type %s", rv.Type().Key())
			}
			if rv.IsNil() {
				e.buf = append(e.buf, "null"...)
				return nil
			}
			m := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				m[it.Key().String()] = it.Value().Interface()
			}
			return e.object(m, prefix)
		case reflect.Pointer:
			if rv.IsNil() {
				e.buf = append(e.buf, "null"...)
				return nil
			}
			return e.value(rv.Elem().Interface(), prefix)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			e.buf = AppendNumber(e.buf, float64(rv.Int()))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			e.buf = AppendNumber(e.buf, float64(rv.Uint()))
		case reflect.Float32, reflect.Float64:
			e.buf = AppendNumber(e.buf, rv.Float())
		case reflect.String:
			e.buf = AppendString(e.buf, rv.String())
		case reflect.Bool:
			return e.value(rv.Bool(), prefix)
		default:
			return fmt.Errorf("jsonx: cannot encode %T", v)
		}
	}
	return nil
}

func (e *encoder) array(n int, at func(int) any, prefix string) error {
	if n == 0 {
		e.buf = append(e.buf, "[]"...)
		return nil
	}
	inner := prefix + e.indent
	e.buf = append(e.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(inner)
		if err := e.value(at(i), inner); err != nil {
			return err
		}
	}
	e.newline(prefix)
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) object(m map[string]any, prefix string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		if e.omit != nil && e.omit[k] {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		e.buf = append(e.buf, "{}"...)
		return nil
	}
	SortKeysLikeJS(keys)
	inner := prefix + e.indent
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(inner)
		e.buf = AppendString(e.buf, k)
		e.buf = append(e.buf, ':')
		if e.indent != "" {
			e.buf = append(e.buf, ' ')
		}
		if err := e.value(m[k], inner); err != nil {
			return err
		}
	}
	e.newline(prefix)
	e.buf = append(e.buf, '}')
	return nil
}

// AppendNumber writes f as ECMAScript's Number::toString does (JSON.stringify: NaN and ±Infinity are null, -0 is 0).
func AppendNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, '0')
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Go writes 1e-07 and 1e+21 with at least two exponent digits; ECMAScript writes 1e-7 and 1e+21.
		s := b[start:]
		for i := 0; i < len(s); i++ {
			if s[i] == 'e' && i+3 < len(s) && s[i+2] == '0' {
				b = append(b[:start+i+2], s[i+3:]...)
				break
			}
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// AppendString writes s as a JSON string the way JSON.stringify does: only ", \ and C0 controls are
// escaped (\b \f \n \r \t, else \u00xx); everything else, U+2028/U+2029 included, is written as is.
// Invalid UTF-8 (never produced by DecodeUTF8) is written as U+FFFD.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ArrayIndex reports whether k is an ECMAScript array index ("0", "17"; not "01", "-1" or 4294967295
// and above) and its value: such keys come first, in numeric order, in a JS object's own-key order.
func ArrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(k[i]-'0')
	}
	return n, n < 4294967295
}

// SortKeysLikeJS puts keys in the order JSON.stringify writes an object whose keys were inserted
// sorted (canonicalJson): array-index keys first in numeric order ("9" before "10"), then the others
// by UTF-16 code units.
func SortKeysLikeJS(keys []string) {
	sort.Slice(keys, func(i, j int) bool {
		a, aIdx := ArrayIndex(keys[i])
		b, bIdx := ArrayIndex(keys[j])
		switch {
		case aIdx && bIdx:
			return a < b
		case aIdx != bIdx:
			return aIdx
		}
		return LessUTF16(keys[i], keys[j])
	})
}

// LessUTF16 orders strings by UTF-16 code units, as JavaScript's default sort and Object.keys().sort() do.
func LessUTF16(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return utf16Key(ra) < utf16Key(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b != ""
}

// utf16Key maps a code point to a value ordered like its first UTF-16 code unit (then the rest):
// supplementary characters (surrogate pairs, 0xD800…) sort before U+E000…U+FFFF.
func utf16Key(r rune) uint64 {
	if r < 0x10000 {
		return uint64(r) << 16
	}
	r -= 0x10000
	hi := 0xD800 + (r >> 10)
	lo := 0xDC00 + (r & 0x3ff)
	return uint64(hi)<<16 | uint64(lo)
}
