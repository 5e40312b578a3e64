package jsonx

import (
	"math"
	"testing"
)

// Expected texts are what Node 20 prints for JSON.stringify(x) and Buffer.from(bytes).toString("utf8").
func TestAppendNumberMatchesECMAScript(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1, "1"}, {-1, "-1"}, {0.1, "0.1"}, {1.5, "1.5"},
		{1e21, "1e+21"}, {1e-7, "1e-7"}, {123456789012345680000, "123456789012345680000"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {5e-324, "5e-324"}, {0.000001, "0.000001"},
		{2.5e-7, "2.5e-7"}, {-1e-7, "-1e-7"}, {100, "100"}, {1234.5678, "1234.5678"},
		{math.NaN(), "null"}, {math.Inf(1), "null"}, {math.Inf(-1), "null"},
	}
	for _, c := range cases {
		if got := string(AppendNumber(nil, c.in)); got != c.want {
			t.Errorf("AppendNumber(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDecodeUTF8MatchesNode(t *testing.T) {
	cases := []struct {
		in   []byte
		want string
	}{
		{[]byte{0xff}, "\ufffd"},
		{[]byte{0xff, 0xff}, "\ufffd\ufffd"},
		{[]byte{0xe2, 0x82}, "\ufffd"},
		{[]byte{0xe2, 0x82, 0x41}, "\ufffdA"},
		{[]byte{0xf0, 0x9f, 0x98}, "\ufffd"},
		{[]byte{0xed, 0xa0, 0x80}, "\ufffd\ufffd\ufffd"},
		{[]byte{0xc0, 0xaf}, "\ufffd\ufffd"},
		{[]byte{0xf4, 0x90, 0x80, 0x80}, "\ufffd\ufffd\ufffd\ufffd"},
		{[]byte{0x41, 0xc3}, "A\ufffd"},
		{[]byte{0xe0, 0x80, 0x80}, "\ufffd\ufffd\ufffd"},
		{[]byte{0xf0, 0x90, 0x80, 0x80}, "\U00010000"},
	}
	for _, c := range cases {
		if got := DecodeUTF8(c.in); got != c.want {
			t.Errorf("DecodeUTF8(% x) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarshalLikeJSONStringify(t *testing.T) {
	v := map[string]any{"b": []any{1, "x\"\\\n\t\u0001\u2028é😀", nil, true}, "a": map[string]any{}, "c": []any{}}
	got, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":{},"b":[1,"x\"\\\n\t\u0001` + "\u2028é😀" + `",null,true],"c":[]}`
	if string(got) != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	pretty, _ := MarshalIndent(map[string]any{"k": []any{1, map[string]any{"z": "y"}}}, "  ")
	wantPretty := "{\n  \"k\": [\n    1,\n    {\n      \"z\": \"y\"\n    }\n  ]\n}"
	if string(pretty) != wantPretty {
		t.Errorf("MarshalIndent = %q, want %q", pretty, wantPretty)
	}
}

func TestSectionHashLeavesOutVolatileKeysAtAnyDepth(t *testing.T) {
	a := map[string]any{"irqs": []any{map[string]any{"irq": "1", "total": 5}}}
	b := map[string]any{"irqs": []any{map[string]any{"irq": "1", "total": 9}}}
	ha, _ := SectionHash("irq", a)
	hb, _ := SectionHash("irq", b)
	if ha != hb {
		t.Error("irq totals changed the section hash")
	}
	ca, _ := ContentHash(a)
	cb, _ := ContentHash(b)
	if ca == cb {
		t.Error("content hash ignored a change")
	}
	hk1, _ := SectionHash("kernel", a)
	hk2, _ := SectionHash("kernel", b)
	if hk1 == hk2 {
		t.Error("total is volatile only in irq")
	}
}

func TestLessUTF16OrdersSupplementaryBeforeHighBMP(t *testing.T) {
	// JavaScript: ["\uffff", "\u{1F600}"].sort() puts the emoji (0xD83D…) first
	if !LessUTF16("\U0001F600", "\uffff") || LessUTF16("\uffff", "\U0001F600") {
		t.Error("supplementary characters must sort before U+FFFF")
	}
	if !LessUTF16("a", "ab") || LessUTF16("ab", "a") || LessUTF16("a", "a") {
		t.Error("prefix order")
	}
}

func TestCleanTextAndClip(t *testing.T) {
	if got := CleanText("a\x00b\x1fc\td\ne"); got != "abc\td\ne" {
		t.Errorf("CleanText = %q", got)
	}
	if got := ClipText("ab😀c", 3); got != "ab" {
		t.Errorf("ClipText cut a pair: %q", got)
	}
	if got := ClipText("ab😀c", 4); got != "ab😀" {
		t.Errorf("ClipText = %q", got)
	}
}
