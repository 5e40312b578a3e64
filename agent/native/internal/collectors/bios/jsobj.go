package bios

import (
	"bytes"
	"encoding/json"
	"errors"

	"nfvdeck/agent/internal/jsonx"
)

// object is a JS plain object as JSON.parse builds one (jsonx.Object): its key order decides which
// attributes a bound keeps, which "Attributes" object a search finds first and the order of warnings.
type object = jsonx.Object

func newObject() *object { return jsonx.NewObject() }

// assign is `obj[k] = v` on a `{}`: "__proto__" sets the prototype instead of an own key.
func assign(o *object, k string, v any) {
	if k == "__proto__" {
		return
	}
	o.Set(k, v)
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
	return jsonx.DecodeJSValue(dec)
}
