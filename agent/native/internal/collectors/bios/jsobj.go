package bios

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
)

// object is a JavaScript plain object as JSON.parse builds one: Object.entries order is the integer-like
// keys ("0", "17", up to 2^32-2) ascending, then the other keys in insertion order; a repeated key keeps
// its first place and takes the last value. The order decides which attributes a bound keeps, which
// "Attributes" object a search finds first and the order of warnings.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// assign is `obj[k] = v` on a `{}`: "__proto__" sets the prototype instead of an own key.
func (o *object) assign(k string, v any) {
	if k == "__proto__" {
		return
	}
	o.set(k, v)
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// arrayIndex: a canonical array index key ("0", "42"; not "01", not >= 2^32-1).
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n > 4294967294 {
		return 0, false
	}
	return n, true
}

// entries are the keys in Object.keys order.
func (o *object) ordered() []string {
	var ints []string
	var rest []string
	for _, k := range o.keys {
		if _, ok := arrayIndex(k); ok {
			ints = append(ints, k)
		} else {
			rest = append(rest, k)
		}
	}
	sort.Slice(ints, func(i, j int) bool {
		a, _ := arrayIndex(ints[i])
		b, _ := arrayIndex(ints[j])
		return a < b
	})
	return append(ints, rest...)
}

// plain is the object as a section value (key order does not matter there: the encoder sorts).
func (o *object) plain() map[string]any {
	m := make(map[string]any, len(o.vals))
	for k, v := range o.vals {
		m[k] = v
	}
	return m
}

// parseJSON is JSON.parse into objects (*object), []any, string, float64, bool and nil. A number too
// large for a float64 becomes ±Inf, as in JS.
func parseJSON(data []byte) (any, error) {
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
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
		f, _ := strconv.ParseFloat(string(t), 64) // a range error leaves ±Inf (or 0), as Number does
		return f, nil
	case string, bool, nil:
		return t, nil
	}
	return nil, io.ErrUnexpectedEOF
}
