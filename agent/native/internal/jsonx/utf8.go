package jsonx

import "unicode/utf8"

// DecodeUTF8 decodes bytes as Node's Buffer.toString("utf8") and TextDecoder do (the WHATWG UTF-8
// decoder): each maximal subpart of an ill-formed sequence becomes one U+FFFD. Go's
// strings.ToValidUTF8 differs (one U+FFFD per run), and the text feeds hashes the server compares.
func DecodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			out = append(out, b[i:i+size]...)
			i += size
			continue
		}
		// Invalid at i: consume the maximal subpart (a valid lead byte followed by valid continuation
		// bytes, cut short), per the WHATWG decoder's bounds for the second byte.
		need, lower, upper := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c == 0xE0:
			need, lower = 2, 0xA0
		case c == 0xED:
			need, upper = 2, 0x9F
		case c >= 0xE1 && c <= 0xEF:
			need = 2
		case c == 0xF0:
			need, lower = 3, 0x90
		case c == 0xF4:
			need, upper = 3, 0x8F
		case c >= 0xF1 && c <= 0xF3:
			need = 3
		}
		j := i + 1
		for k := 0; k < need && j < len(b); k++ {
			x := b[j]
			if x < lower || x > upper {
				break
			}
			lower, upper = 0x80, 0xBF
			j++
		}
		out = append(out, "\ufffd"...)
		i = j
	}
	return string(out)
}
