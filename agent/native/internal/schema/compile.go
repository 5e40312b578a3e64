package schema

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
)

// typeSet is a bit set of JSON Schema types.
type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBoolean
	tInteger
	tNumber
	tString
	tArray
	tObject
)

var typeNames = map[string]typeSet{"null": tNull, "boolean": tBoolean, "integer": tInteger, "number": tNumber, "string": tString, "array": tArray, "object": tObject}

type property struct {
	name   string
	schema *node
}

// node is one compiled schema; nil pointers and zero sets mean the keyword is absent.
type node struct {
	types            typeSet
	properties       []property
	propertyIndex    map[string]*node
	required         []string
	closed           bool  // additionalProperties: false
	additional       *node // additionalProperties: schema
	propertyNames    *node
	items            *node
	anyOf            []*node
	allowsNull       bool // anyOf has a bare {type: null} member
	nonNull          []*node
	nullableOf       *node // anyOf is [X, {type: null}] (zod's .nullable())
	enum             []any
	minLength        *int
	maxLength        *int
	pattern          *regexp.Regexp
	patternSource    string
	patternMessage   string // x-patternMessage: the zod regex's own message
	minimum          *float64
	maximum          *float64
	exclusiveMinimum *float64
	maxItems         *int
}

// ordered is a JSON object with its keys in file order (properties are checked in that order, as zod
// checks an object's shape).
type ordered struct {
	keys   []string
	values map[string]any
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			o := &ordered{values: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := o.values[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.values[k] = v
			}
			_, err := dec.Token()
			return o, err
		}
		arr := []any{}
		for dec.More() {
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	case json.Number:
		return t.Float64()
	default:
		return tok, nil
	}
}

func compileDocument(text []byte) (*node, error) {
	dec := json.NewDecoder(strings.NewReader(string(text)))
	dec.UseNumber()
	doc, err := decodeOrdered(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the schema")
	}
	return compileNode(doc, "#")
}

func intOf(v any, at string) (*int, error) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || f < 0 {
		return nil, fmt.Errorf("%s: not a non-negative integer", at)
	}
	i := int(f)
	return &i, nil
}

func floatOf(v any, at string) (*float64, error) {
	f, ok := v.(float64)
	if !ok {
		return nil, fmt.Errorf("%s: not a number", at)
	}
	return &f, nil
}

// jsPattern turns a JavaScript regex source into RE2: the escapes the contract uses that RE2 spells
// differently (\/ is /, \0 is NUL) are rewritten; anything RE2 cannot compile is an error.
func jsPattern(source string) (*regexp.Regexp, error) {
	var b strings.Builder
	for i := 0; i < len(source); i++ {
		c := source[i]
		if c == '\\' && i+1 < len(source) {
			switch next := source[i+1]; {
			case next == '/':
				b.WriteByte('/')
				i++
				continue
			case next == '0' && (i+2 >= len(source) || source[i+2] < '0' || source[i+2] > '9'):
				b.WriteString(`\x00`)
				i++
				continue
			default:
				b.WriteByte(c)
				b.WriteByte(next)
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return regexp.Compile(b.String())
}

func compileNode(raw any, at string) (*node, error) {
	o, ok := raw.(*ordered)
	if !ok {
		return nil, fmt.Errorf("%s: a schema must be an object", at)
	}
	n := &node{}
	var err error
	for _, k := range o.keys {
		v := o.values[k]
		here := at + "/" + k
		switch k {
		case "$schema", "$comment":
		case "x-patternMessage":
			if n.patternMessage, ok = v.(string); !ok {
				return nil, fmt.Errorf("%s: not a string", here)
			}
		case "type":
			names := []any{v}
			if list, ok := v.([]any); ok {
				names = list
			}
			for _, name := range names {
				s, _ := name.(string)
				t, known := typeNames[s]
				if !known {
					return nil, fmt.Errorf("%s: unknown type %v", here, name)
				}
				n.types |= t
			}
		case "properties":
			props, ok := v.(*ordered)
			if !ok {
				return nil, fmt.Errorf("%s: not an object", here)
			}
			n.propertyIndex = map[string]*node{}
			for _, name := range props.keys {
				child, err := compileNode(props.values[name], here+"/"+name)
				if err != nil {
					return nil, err
				}
				n.properties = append(n.properties, property{name, child})
				n.propertyIndex[name] = child
			}
		case "required":
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an array", here)
			}
			for _, r := range list {
				s, ok := r.(string)
				if !ok {
					return nil, fmt.Errorf("%s: not a string", here)
				}
				n.required = append(n.required, s)
			}
		case "additionalProperties":
			if b, ok := v.(bool); ok {
				n.closed = !b
			} else if n.additional, err = compileNode(v, here); err != nil {
				return nil, err
			}
		case "propertyNames":
			if n.propertyNames, err = compileNode(v, here); err != nil {
				return nil, err
			}
		case "items":
			if n.items, err = compileNode(v, here); err != nil {
				return nil, err
			}
		case "anyOf":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return nil, fmt.Errorf("%s: not a non-empty array", here)
			}
			for i, s := range list {
				child, err := compileNode(s, fmt.Sprintf("%s/%d", here, i))
				if err != nil {
					return nil, err
				}
				n.anyOf = append(n.anyOf, child)
				if child.types == tNull && child.anyOf == nil && child.enum == nil {
					n.allowsNull = true
				} else {
					n.nonNull = append(n.nonNull, child)
				}
			}
			if n.allowsNull && len(n.nonNull) == 1 && len(n.anyOf) == 2 {
				n.nullableOf = n.nonNull[0]
			}
		case "enum":
			list, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an array", here)
			}
			for _, e := range list {
				switch e.(type) {
				case string, float64, bool, nil:
				default:
					return nil, fmt.Errorf("%s: only scalar enum values are supported", here)
				}
			}
			n.enum = list
		case "minLength":
			n.minLength, err = intOf(v, here)
		case "maxLength":
			n.maxLength, err = intOf(v, here)
		case "maxItems":
			n.maxItems, err = intOf(v, here)
		case "minimum":
			n.minimum, err = floatOf(v, here)
		case "maximum":
			n.maximum, err = floatOf(v, here)
		case "exclusiveMinimum":
			n.exclusiveMinimum, err = floatOf(v, here)
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: not a string", here)
			}
			n.patternSource = s
			if n.pattern, err = jsPattern(s); err != nil {
				return nil, fmt.Errorf("%s: %v", here, err)
			}
		default:
			return nil, fmt.Errorf("%s: keyword %q is not supported by this validator", here, k)
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}
