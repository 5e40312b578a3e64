package jsonx

import "testing"

// JSON.stringify({"b":1,"10":2,"9":3,"01":4,"4294967295":5,"4294967294":6}) after canonicalJson's sort:
// array indices enumerate first, numerically; agent/native/jsonx-crosscheck.test.ts checks the rest.
func TestObjectKeysInJavaScriptOrder(t *testing.T) {
	got, err := Marshal(map[string]any{"b": 1, "10": 2, "9": 3, "01": 4, "4294967295": 5, "4294967294": 6, "": 7, "-1": 8})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"9":3,"10":2,"4294967294":6,"":7,"-1":8,"01":4,"4294967295":5,"b":1}`
	if string(got) != want {
		t.Errorf("Marshal = %s\nwant      %s", got, want)
	}
}
