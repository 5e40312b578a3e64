package values

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	cases := []struct {
		in   string
		want []int
		err  string
	}{
		{"", []int{}, ""},
		{"  \n", []int{}, ""},
		{"0-3,8,10-11\n", []int{0, 1, 2, 3, 8, 10, 11}, ""},
		{"0-15:2/4", []int{0, 1, 4, 5, 8, 9, 12, 13}, ""},
		{"3,1,3, 2", []int{1, 2, 3}, ""},
		{"(null)", nil, `not a cpu list: "(null)" (bad part "(null)")`},
		{"5-3", nil, `descending range "5-3"`},
		{"8192", nil, "cpu 8192 exceeds 8191"},
		{"0-3:0/4", nil, `bad group "0-3:0/4"`},
		{"0-3:5/4", nil, `bad group "0-3:5/4"`},
		{"0-7:1/100000000000000000000", []int{0}, ""},
		{"1-", nil, `not a cpu list: "1-" (bad part "1-")`},
		{"a", nil, `not a cpu list: "a" (bad part "a")`},
	}
	for _, c := range cases {
		got, err := ParseCPUList(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseCPUList(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseCPUList(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseCPUMask(t *testing.T) {
	cases := []struct {
		in   string
		want []int
		ok   bool
	}{
		{"0f", []int{0, 1, 2, 3}, true},
		{"0x3", []int{0, 1}, true},
		{"1,00000001", []int{0, 32}, true},
		{"1,1", []int{0, 32}, true},
		{"", []int{}, true},
		{"zz", nil, false},
	}
	for _, c := range cases {
		got, ok := TryParseCPUMask(c.in)
		if ok != c.ok || (ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("TryParseCPUMask(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseIntValue(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"42\n", 42, true},
		{"-1", -1, true},
		{"0012", 12, true},
		{"12abc", 0, false},
		{"", 0, false},
		{"1.5", 0, false},
		{"9007199254740991", 9007199254740991, true},
		{"9007199254740993", 0, false},
		{"\u00a07\ufeff", 7, true},
	}
	for _, c := range cases {
		got, ok := ParseIntValue(c.in, true)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseIntValue(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	if _, ok := ParseIntValue("1", false); ok {
		t.Error("an absent file must not parse")
	}
}

func TestParseBoolAndWord(t *testing.T) {
	for in, want := range map[string]any{"Y\n": true, "off": false, "TRUE": true, "2": nil, "": nil} {
		if got := BoolOrNil(in, true); got != want {
			t.Errorf("BoolOrNil(%q) = %v, want %v", in, got, want)
		}
	}
	if got := WordOrNil("\x00\x01 \n", true, 10); got != nil {
		t.Errorf("a control-only value is missing, got %q", got)
	}
	if got := WordOrNil("  abcdef \n", true, 3); got != "abc" {
		t.Errorf("clipped word = %q", got)
	}
}

func TestIndexedEntriesAndWarnings(t *testing.T) {
	got := IndexedEntries([]string{"cpu10", "cpu2", "cpufreq", "cpu", "node0", "cpu0"}, "cpu")
	if !reflect.DeepEqual(got, []int{0, 2, 10}) {
		t.Errorf("IndexedEntries = %v", got)
	}
	w := &Warnings{Items: []string{}, Max: 2}
	for i := 0; i < 5; i++ {
		w.Add("x")
	}
	if !reflect.DeepEqual(w.Items, []string{"x", "x", "… more warnings omitted"}) {
		t.Errorf("warnings = %v", w.Items)
	}
	if q := QuoteSliced("a\"😀", 2); q != `"a\""` {
		t.Errorf("QuoteSliced = %s", q)
	}
	if q := QuoteSliced("a😀", 2); q != `"a\ud83d"` {
		t.Errorf("QuoteSliced half pair = %s", q)
	}
}

// Huge indices stay (as JS's Number keeps them) so the schema refuses the section in both agents.
func TestIndexedNameHuge(t *testing.T) {
	for _, c := range []struct {
		name string
		want int
		ok   bool
	}{
		{"cpu12", 12, true},
		{"cpu007", 7, true},
		{"cpu9007199254740993", 9007199254740992, true}, // Number("9007199254740993") rounds
		{"cpu4294967297", 4294967297, true},
		{"cpu99999999999999999999", math.MaxInt64, true},
		{"cpu" + strings.Repeat("9", 400), math.MaxInt64, true}, // Infinity in JS
		{"cpu-1", 0, false},
		{"cpu1e3", 0, false},
		{"cpu", 0, false},
		{"cpu١", 0, false},
	} {
		got, ok := IndexedName(c.name, "cpu")
		if got != c.want || ok != c.ok {
			t.Errorf("IndexedName(%q) = %d, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
