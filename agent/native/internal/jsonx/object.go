package jsonx

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
)

// Object is a JavaScript plain object as JSON.parse builds one. Its key order (Object.keys) is the
// array-index keys ("0", "17", up to 2^32-2) ascending, then the other keys in insertion order; a
// repeated key keeps its first place and takes the last value. Where a port must walk keys in the
// order the TS agent does (which attributes a bound keeps, cyclictest's thread order), that matters.
type Object struct {
	keys   []string
	vals   map[string]any
	sorted bool
}

// NewObject is `{}`.
func NewObject() *Object { return &Object{vals: map[string]any{}, sorted: true} }

// Set defines own property k (JSON.parse's CreateDataProperty: "__proto__" is an ordinary key here).
func (o *Object) Set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
		o.sorted = false
	}
	o.vals[k] = v
}

// Get is the own property k.
func (o *Object) Get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// Value is the own property k, nil when absent (JS undefined and null both read nil).
func (o *Object) Value(k string) any { return o.vals[k] }

// Len is the number of own keys.
func (o *Object) Len() int { return len(o.keys) }

// Keys are the own keys in Object.keys order (a copy: callers may sort or keep it).
func (o *Object) Keys() []string {
	if !o.sorted {
		var idx, rest []string
		for _, k := range o.keys {
			if _, ok := ArrayIndex(k); ok {
				idx = append(idx, k)
			} else {
				rest = append(rest, k)
			}
		}
		sort.SliceStable(idx, func(i, j int) bool {
			a, _ := ArrayIndex(idx[i])
			b, _ := ArrayIndex(idx[j])
			return a < b
		})
		o.keys = append(idx, rest...)
		o.sorted = true
	}
	return append([]string(nil), o.keys...)
}

// Plain is a copy as a map (for a section value: key order does not matter there, the encoder sorts).
func (o *Object) Plain() map[string]any {
	m := make(map[string]any, len(o.vals))
	for k, v := range o.vals {
		m[k] = v
	}
	return m
}

// DecodeJSValue reads one JSON value from dec (which must have UseNumber set) the way JSON.parse builds
// it: objects as *Object, arrays []any, numbers float64 (±Inf past float64's range, as Number gives),
// strings, bools and nil. Syntax errors are the decoder's; callers word them.
func DecodeJSValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := NewObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := DecodeJSValue(dec)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := DecodeJSValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, errors.New("unexpected delimiter")
	case json.Number:
		f, _ := strconv.ParseFloat(string(t), 64) // only a range error is possible: ±Inf (or 0), as Number gives
		return f, nil
	case string, bool, nil:
		return t, nil
	}
	return nil, io.ErrUnexpectedEOF
}
