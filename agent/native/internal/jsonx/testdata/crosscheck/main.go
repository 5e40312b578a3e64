// Command crosscheck is a test helper (under testdata: not part of the agent or of ./...): it reads
// JSON lines from stdin and answers each with what jsonx makes of it, so agent/native/jsonx-crosscheck.test.ts
// can compare jsonx.Marshal/ContentHash/SectionHash/DecodeUTF8 with server/contract/canonical.ts and
// Node's Buffer.toString on generated values.
//
// A value travels tagged so that every float64 (-0, NaN, ±Infinity) survives exactly:
// null, true/false, {"n":"<16 hex digits of the IEEE-754 bits>"}, {"s":"text"}, {"a":[…]}, {"o":{"key":…}}.
// Input lines: {"v": tagged} or {"bytes": "<hex>"}. Output lines: {"json","content","irq","hugepages"}
// (hex of the JSON text, three hashes) or {"text": "<hex of the UTF-8 of the decoded text>"}; {"error"}.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	"nfvdeck/agent/internal/jsonx"
)

func untag(raw any) (any, error) {
	switch t := raw.(type) {
	case nil, bool:
		return t, nil
	case map[string]any:
		if len(t) != 1 {
			return nil, fmt.Errorf("tag object with %d keys", len(t))
		}
		for tag, v := range t {
			switch tag {
			case "n":
				bits, err := strconv.ParseUint(v.(string), 16, 64)
				if err != nil {
					return nil, err
				}
				return math.Float64frombits(bits), nil
			case "s":
				return v.(string), nil
			case "a":
				list := v.([]any)
				out := make([]any, len(list))
				for i, el := range list {
					var err error
					if out[i], err = untag(el); err != nil {
						return nil, err
					}
				}
				return out, nil
			case "o":
				obj := v.(map[string]any)
				out := make(map[string]any, len(obj))
				for k, el := range obj {
					var err error
					if out[k], err = untag(el); err != nil {
						return nil, err
					}
				}
				return out, nil
			}
			return nil, fmt.Errorf("unknown tag %q", tag)
		}
	}
	return nil, fmt.Errorf("untagged %T", raw)
}

func answer(line []byte) map[string]any {
	var in struct {
		V     json.RawMessage `json:"v"`
		Bytes *string         `json:"bytes"`
	}
	if err := json.Unmarshal(line, &in); err != nil {
		return map[string]any{"error": err.Error()}
	}
	if in.Bytes != nil {
		b, err := hex.DecodeString(*in.Bytes)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"text": hex.EncodeToString([]byte(jsonx.DecodeUTF8(b)))}
	}
	var raw any
	if err := json.Unmarshal(in.V, &raw); err != nil {
		return map[string]any{"error": err.Error()}
	}
	v, err := untag(raw)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	text, err := jsonx.Marshal(v)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	out := map[string]any{"json": hex.EncodeToString(text)}
	if out["content"], err = jsonx.ContentHash(v); err != nil {
		return map[string]any{"error": err.Error()}
	}
	for _, section := range []string{"irq", "hugepages"} {
		if out[section], err = jsonx.SectionHash(section, v); err != nil {
			return map[string]any{"error": err.Error()}
		}
	}
	return out
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		if err := enc.Encode(answer(in.Bytes())); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
