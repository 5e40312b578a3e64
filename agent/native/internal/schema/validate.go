package schema

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"nfvdeck/agent/internal/jsonx"
)

// segment is one step of a problem's path: a key, or an array index (kept as a number so that a
// passing array costs no string formatting).
type segment struct {
	key   string
	index int
}

type validation struct {
	path     []segment
	problems []string
}

func (v *validation) full() bool { return len(v.problems) >= maxProblems }

func (v *validation) add(format string, args ...any) {
	if v.full() {
		return
	}
	parts := make([]string, len(v.path))
	for i, seg := range v.path {
		if seg.index >= 0 {
			parts[i] = strconv.Itoa(seg.index)
		} else {
			parts[i] = seg.key
		}
	}
	v.problems = append(v.problems, strings.Join(parts, ".")+": "+fmt.Sprintf(format, args...))
}

func (v *validation) push(key string) { v.path = append(v.path, segment{key: key, index: -1}) }
func (v *validation) pushIndex(i int) { v.path = append(v.path, segment{index: i}) }
func (v *validation) pop()            { v.path = v.path[:len(v.path)-1] }

// num is String(n) of a JavaScript number, as zod prints bounds.
func num(f float64) string { return string(jsonx.AppendNumber(nil, f)) }

// kind classifies a Go value of a collector tree the way JSON (and zod) see it.
type kind int

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
	kOther
)

func classify(x any) (kind, float64) {
	switch t := x.(type) {
	case nil:
		return kNull, 0
	case bool:
		return kBool, 0
	case float64:
		return kNumber, t
	case int:
		return kNumber, float64(t)
	case int64:
		return kNumber, float64(t)
	case string:
		return kString, 0
	case []any, []string, []float64, []int, []map[string]any:
		return kArray, 0
	case map[string]any:
		return kObject, 0
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kNumber, float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return kNumber, float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return kNumber, rv.Float()
	case reflect.Bool:
		return kBool, 0
	case reflect.String:
		return kString, 0
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return kNull, 0
		}
		return kArray, 0
	case reflect.Map:
		if rv.IsNil() {
			return kNull, 0
		}
		if rv.Type().Key().Kind() == reflect.String {
			return kObject, 0
		}
	case reflect.Ptr, reflect.Interface:
		if rv.IsNil() {
			return kNull, 0
		}
		return classify(rv.Elem().Interface())
	}
	return kOther, 0
}

// received is zod's name for what it got.
func received(k kind, f float64, present bool) string {
	if !present {
		return "undefined"
	}
	switch k {
	case kNull:
		return "null"
	case kBool:
		return "boolean"
	case kNumber:
		if math.IsNaN(f) {
			return "NaN"
		}
		return "number"
	case kString:
		return "string"
	case kArray:
		return "array"
	case kObject:
		return "object"
	}
	return "unknown"
}

// expected is zod's name for a node's type (nullable unions name their non-null member; an object
// with a schema for any key is a record).
func expected(n *node) string {
	t := n.types &^ tNull
	if t&tObject != 0 && n.properties == nil && (n.additional != nil || n.propertyNames != nil) {
		return "record"
	}
	switch {
	case t&tNumber != 0, t&tInteger != 0:
		return "number"
	case t&tString != 0:
		return "string"
	case t&tBoolean != 0:
		return "boolean"
	case t&tArray != 0:
		return "array"
	case t&tObject != 0:
		return "object"
	}
	return "null"
}

func utf16Length(s string) int {
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

func stringOf(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	return reflect.ValueOf(x).String()
}

func arrayEach(x any, f func(i int, el any) bool) int {
	switch t := x.(type) {
	case []any:
		for i, e := range t {
			if !f(i, e) {
				break
			}
		}
		return len(t)
	case []string:
		for i, e := range t {
			if !f(i, e) {
				break
			}
		}
		return len(t)
	case []float64:
		for i, e := range t {
			if !f(i, e) {
				break
			}
		}
		return len(t)
	case []int:
		for i, e := range t {
			if !f(i, e) {
				break
			}
		}
		return len(t)
	case []map[string]any:
		for i, e := range t {
			if !f(i, e) {
				break
			}
		}
		return len(t)
	}
	rv := reflect.ValueOf(x)
	for i := 0; i < rv.Len(); i++ {
		if !f(i, rv.Index(i).Interface()) {
			break
		}
	}
	return rv.Len()
}

// objectOf returns a string-keyed map as map[string]any (no copy for the common case).
func objectOf(x any) map[string]any {
	if m, ok := x.(map[string]any); ok {
		return m
	}
	rv := reflect.ValueOf(x)
	out := make(map[string]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		out[it.Key().String()] = it.Value().Interface()
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return jsonx.LessUTF16(keys[i], keys[j]) })
	return keys
}

func enumText(values []any) string {
	parts := make([]string, len(values))
	for i, e := range values {
		switch t := e.(type) {
		case string:
			parts[i] = strconv.Quote(t)
		case float64:
			parts[i] = num(t)
		default:
			parts[i] = fmt.Sprint(t)
		}
	}
	return strings.Join(parts, "|")
}

func enumHas(values []any, k kind, f float64, x any) bool {
	for _, e := range values {
		switch t := e.(type) {
		case string:
			if k == kString && stringOf(x) == t {
				return true
			}
		case float64:
			if k == kNumber && f == t {
				return true
			}
		case bool:
			if k == kBool && reflect.ValueOf(x).Bool() == t {
				return true
			}
		case nil:
			if k == kNull {
				return true
			}
		}
	}
	return false
}

// passes reports whether x satisfies n, without collecting messages (for anyOf branches).
func passes(n *node, x any, present bool) bool {
	probe := probes.Get().(*validation)
	probe.problems, probe.path = probe.problems[:0], probe.path[:0]
	probe.check(n, x, present)
	ok := len(probe.problems) == 0
	probes.Put(probe)
	return ok
}

var probes = sync.Pool{New: func() any { return &validation{path: make([]segment, 0, 16)} }}

// check validates x (present false: the key is missing) against n, adding problems at v.path.
func (v *validation) check(n *node, x any, present bool) {
	if v.full() {
		return
	}
	k, f := classify(x)
	if n.anyOf != nil {
		v.checkAnyOf(n, x, k, present)
		return
	}
	if n.enum != nil {
		if !present || !enumHas(n.enum, k, f, x) {
			v.add("Invalid option: expected one of %s", enumText(n.enum))
		}
		return
	}
	if !present {
		v.add("Invalid input: expected %s, received undefined", expected(n))
		return
	}
	if n.types != 0 && !typeMatches(n.types, k, f) {
		if k == kNumber && n.types&tInteger != 0 && !math.IsNaN(f) && !math.IsInf(f, 0) {
			v.add("Invalid input: expected int, received number")
		} else {
			v.add("Invalid input: expected %s, received %s", expected(n), received(k, f, true))
		}
		if k != kNumber {
			return
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
	}
	switch k {
	case kNumber:
		v.checkNumber(n, f)
	case kString:
		v.checkString(n, stringOf(x))
	case kArray:
		count := arrayEach(x, func(i int, el any) bool {
			if n.items != nil {
				v.pushIndex(i)
				v.check(n.items, el, true)
				v.pop()
			}
			return !v.full()
		})
		if n.maxItems != nil && count > *n.maxItems {
			v.add("Too big: expected array to have <=%d items", *n.maxItems)
		}
	case kObject:
		v.checkObject(n, objectOf(x))
	}
}

func typeMatches(t typeSet, k kind, f float64) bool {
	switch k {
	case kNull:
		return t&tNull != 0
	case kBool:
		return t&tBoolean != 0
	case kNumber:
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
		return t&tNumber != 0 || (t&tInteger != 0 && f == math.Trunc(f))
	case kString:
		return t&tString != 0
	case kArray:
		return t&tArray != 0
	case kObject:
		return t&tObject != 0
	}
	return false
}

// maxSafeInteger is Number.MAX_SAFE_INTEGER: zod 4's .int() bounds every integer by it, and its JSON
// Schema writes that bound as minimum/maximum when no tighter one was given.
const maxSafeInteger = 9007199254740991

func (v *validation) checkNumber(n *node, f float64) {
	minimum, maximum := n.minimum, n.maximum
	if n.types&tInteger != 0 && n.types&tNumber == 0 {
		// zod reports the safe-integer bound first, as an "int" check, then the explicit bounds
		if f > maxSafeInteger {
			v.add("Too big: expected int to be <=%d", maxSafeInteger)
		}
		if f < -maxSafeInteger {
			v.add("Too small: expected int to be >=%d", -maxSafeInteger)
		}
		if minimum != nil && *minimum == -maxSafeInteger {
			minimum = nil
		}
		if maximum != nil && *maximum == maxSafeInteger {
			maximum = nil
		}
	}
	if minimum != nil && f < *minimum {
		v.add("Too small: expected number to be >=%s", num(*minimum))
	}
	if n.exclusiveMinimum != nil && f <= *n.exclusiveMinimum {
		v.add("Too small: expected number to be >%s", num(*n.exclusiveMinimum))
	}
	if maximum != nil && f > *maximum {
		v.add("Too big: expected number to be <=%s", num(*maximum))
	}
}

func (v *validation) checkString(n *node, s string) {
	if n.minLength != nil || n.maxLength != nil {
		l := utf16Length(s)
		if n.minLength != nil && l < *n.minLength {
			v.add("Too small: expected string to have >=%d characters", *n.minLength)
		}
		if n.maxLength != nil && l > *n.maxLength {
			v.add("Too big: expected string to have <=%d characters", *n.maxLength)
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		if n.patternMessage != "" {
			v.add("%s", n.patternMessage)
		} else {
			v.add("Invalid string: must match pattern /%s/", n.patternSource)
		}
	}
}

func (v *validation) checkObject(n *node, m map[string]any) {
	for _, p := range n.properties {
		if v.full() {
			return
		}
		val, present := m[p.name]
		if !present && !contains(n.required, p.name) {
			continue
		}
		v.push(p.name)
		v.check(p.schema, val, present)
		v.pop()
	}
	if n.additional != nil || n.propertyNames != nil {
		// unsorted first (no allocation); only a record with a problem is checked again in key order,
		// so its problems come out in the same order every time
		before := len(v.problems)
		v.checkRecord(n, m, nil)
		if len(v.problems) > before {
			v.problems = v.problems[:before]
			v.checkRecord(n, m, sortedKeys(m))
		}
		return
	}
	if n.closed {
		unknownCount := 0
		for key := range m {
			if n.propertyIndex[key] == nil {
				unknownCount++
			}
		}
		if unknownCount == 0 {
			return
		}
		var unknown []string
		for _, key := range sortedKeys(m) {
			if n.propertyIndex[key] == nil {
				unknown = append(unknown, strconv.Quote(key))
			}
		}
		if len(unknown) == 1 {
			v.add("Unrecognized key: %s", unknown[0])
		} else {
			v.add("Unrecognized keys: %s", strings.Join(unknown, ", "))
		}
	}
}

func (v *validation) checkRecordKey(n *node, m map[string]any, key string) {
	if n.propertyIndex[key] != nil {
		return
	}
	v.push(key)
	if n.propertyNames != nil && !passes(n.propertyNames, key, true) {
		v.add("Invalid key in record")
	} else if n.additional != nil {
		v.check(n.additional, m[key], true)
	}
	v.pop()
}

// checkRecord checks every key not named in properties; keys nil means map order.
func (v *validation) checkRecord(n *node, m map[string]any, keys []string) {
	if keys == nil {
		for key := range m {
			if v.full() {
				return
			}
			v.checkRecordKey(n, m, key)
		}
		return
	}
	for _, key := range keys {
		if v.full() {
			return
		}
		v.checkRecordKey(n, m, key)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkAnyOf: a member {type: null} beside one other member is zod's .nullable() — its problems are the
// other member's; any other union failing every member is zod's single "Invalid input".
func (v *validation) checkAnyOf(n *node, x any, k kind, present bool) {
	if n.allowsNull && present && k == kNull {
		return
	}
	if n.nullableOf != nil {
		v.check(n.nullableOf, x, present)
		return
	}
	for _, m := range n.nonNull {
		if passes(m, x, present) {
			return
		}
	}
	v.add("Invalid input")
}
