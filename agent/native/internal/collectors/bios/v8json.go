package bios

import (
	"strconv"
	"unicode/utf16"
)

// v8JSONError is the message Node 20's JSON.parse (V8 11) throws for text that is not JSON, so an
// export file's warning reads as the TS agent's ("Expected property name or '}' in JSON at position 1").
// Positions and context are in UTF-16 code units, as in V8. ok=false when the text parses.
func v8JSONError(text string) (string, bool) {
	p := &v8Parser{s: utf16.Encode([]rune(text))}
	if msg, failed := p.value(); failed {
		return msg, true
	}
	p.ws()
	if p.i < len(p.s) {
		return "Unexpected non-whitespace character after JSON at position " + strconv.Itoa(p.i), true
	}
	return "", false
}

type v8Parser struct {
	s []uint16
	i int
}

func (p *v8Parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *v8Parser) at(message string) string {
	return message + " in JSON at position " + strconv.Itoa(p.i)
}

func (p *v8Parser) text(from, to int) string { return string(utf16.Decode(p.s[from:to])) }

// unexpected is ReportUnexpectedToken without a message of its own: by the token at the cursor.
func (p *v8Parser) unexpected() string {
	if p.i >= len(p.s) {
		return "Unexpected end of JSON input"
	}
	c := p.s[p.i]
	switch {
	case c == '"':
		return p.at("Unexpected string")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.at("Unexpected number")
	}
	token := "Unexpected token '" + p.text(p.i, p.i+1) + "', "
	const context = 10
	n, pos := len(p.s), p.i
	switch {
	case n < 2*context+1:
		return token + `"` + p.text(0, n) + `" is not valid JSON`
	case pos < context:
		return token + `"` + p.text(0, pos+context) + `"... is not valid JSON`
	case pos < n-context:
		return token + `..."` + p.text(pos-context, pos+context) + `"... is not valid JSON`
	default:
		return token + `..."` + p.text(pos-context, n) + `" is not valid JSON`
	}
}

func isDigit(c uint16) bool { return c >= '0' && c <= '9' }

func (p *v8Parser) peek() int {
	if p.i < len(p.s) {
		return int(p.s[p.i])
	}
	return -1
}

// value parses one JSON value; failed=true with V8's message at the first error.
func (p *v8Parser) value() (string, bool) {
	p.ws()
	switch c := p.peek(); {
	case c < 0:
		return "Unexpected end of JSON input", true
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == '{':
		p.i++
		p.ws()
		if p.peek() == '}' {
			p.i++
			return "", false
		}
		expectName := "Expected property name or '}'"
		first := true
		for {
			p.ws()
			if p.peek() != '"' {
				return p.at(expectName), true
			}
			if msg, failed := p.str(); failed {
				return msg, true
			}
			p.ws()
			if p.peek() != ':' {
				// V8 words only the first property's missing colon; after a comma it reports the token
				// ExpectNext(COLON) with no message: "Unexpected end of JSON input", "Unexpected string" …
				if first {
					return p.at("Expected ':' after property name"), true
				}
				return p.unexpected(), true
			}
			p.i++
			if msg, failed := p.value(); failed {
				return msg, true
			}
			p.ws()
			switch p.peek() {
			case ',':
				p.i++
				expectName = "Expected double-quoted property name"
				first = false
				continue
			case '}':
				p.i++
				return "", false
			}
			return p.at("Expected ',' or '}' after property value"), true
		}
	case c == '[':
		p.i++
		p.ws()
		if p.peek() == ']' {
			p.i++
			return "", false
		}
		for {
			if msg, failed := p.value(); failed {
				return msg, true
			}
			p.ws()
			switch p.peek() {
			case ',':
				p.i++
				continue
			case ']':
				p.i++
				return "", false
			}
			return p.at("Expected ',' or ']' after array element"), true
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return p.unexpected(), true
}

func (p *v8Parser) literal(word string) (string, bool) {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.s) {
			return "Unexpected end of JSON input", true
		}
		if p.s[p.i] != uint16(word[k]) {
			return p.unexpected(), true
		}
		p.i++
	}
	return "", false
}

func (p *v8Parser) str() (string, bool) {
	p.i++ // the opening quote
	for {
		if p.i >= len(p.s) {
			return p.at("Unterminated string"), true
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return "", false
		case c < 0x20:
			return p.at("Bad control character in string literal"), true
		case c == '\\':
			p.i++
			if p.i >= len(p.s) {
				return "Unexpected end of JSON input", true
			}
			switch p.s[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				for k := 0; k < 4; k++ {
					p.i++
					if p.i >= len(p.s) || !isHex(p.s[p.i]) {
						return p.at("Bad Unicode escape"), true
					}
				}
				p.i++
			default:
				return p.at("Bad escaped character"), true
			}
		default:
			p.i++
		}
	}
}

func isHex(c uint16) bool { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }

func (p *v8Parser) number() (string, bool) {
	if p.peek() == '-' {
		p.i++
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			return p.at("No number after minus sign"), true
		}
	}
	if p.peek() == '0' {
		p.i++
		if p.i < len(p.s) && isDigit(p.s[p.i]) {
			return p.at("Unexpected number"), true
		}
	} else {
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	if p.peek() == '.' {
		p.i++
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			return p.at("Unterminated fractional number"), true
		}
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			return p.at("Exponent part is missing a number"), true
		}
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	return "", false
}
