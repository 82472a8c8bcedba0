package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vshop-go/vshop/generated"
)

// TestWriteTable renders each shape of data the API answers with.
func TestWriteTable(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"absent", ``, "(no data)\n"},
		{"null", `null`, "(no data)\n"},
		{"empty list", `[]`, "(none)\n"},
		{"scalar", `"ok"`, "ok\n"},
		{"object", `{"status":"valid","deviceCode":"89852420180910340793","extra":{"a":1}}`,
			"deviceCode  89852420180910340793\n" +
				"status      valid\n" +
				"extra       {\"a\":1}\n"},
		{"list of objects, known columns first, wide characters aligned",
			`[{"zone":"x","area":"欧洲","packageCode":"P1"},{"area":"Europe","packageCode":"P22","payAmount":4.99}]`,
			"packageCode  area    payAmount  zone\n" +
				"P1           欧洲    -          x\n" +
				"P22          Europe  4.99       -\n"},
		{"object with lists", `{"deviceCode":"1","orderList":[{"orderStatus":"2","time":"1"}],"none":[],"tags":["a","b"]}`,
			"deviceCode  1\n" +
				"none        (none)\n" +
				"\norderList:\n" +
				"orderStatus                      time\n" +
				"In use, 正在使用 (inferred) (2)  1\n" +
				"\ntags:\n" +
				"a\n" +
				"b\n"},
		{"tabs and newlines flattened", `[{"note":"a\tb\nc","empty":""}]`, "empty  note\n-      a b c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeTable(&buf, json.RawMessage(tt.data)); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}

// TestWriteJSON indents the data as received and writes absent data as null.
func TestWriteJSON(t *testing.T) {
	tests := []struct{ data, want string }{
		{``, "null\n"},
		{`{"area":"欧洲","amount":4.90,"url":"https://a/b?c=1&d=<2>"}`,
			"{\n  \"area\": \"欧洲\",\n  \"amount\": 4.90,\n  \"url\": \"https://a/b?c=1&d=<2>\"\n}\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := writeJSON(&buf, json.RawMessage(tt.data)); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tt.want {
			t.Errorf("writeJSON(%s) = %q, want %q", tt.data, buf.String(), tt.want)
		}
	}
}

// TestLanguageNames: every language code of the spec has a name, and both are accepted.
func TestLanguageNames(t *testing.T) {
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	codes := doc.Components.Schemas["LanguageCode"].Value.Enum
	f := languageFlag()
	if len(f.choices) != len(codes) {
		t.Fatalf("--language knows %d languages, the spec %d", len(f.choices), len(codes))
	}
	for i, code := range codes {
		c := f.choices[i]
		for _, name := range c.names {
			if err := f.Set(name); err != nil || f.value() != code {
				t.Errorf("--language %s: value %q, err %v; want %q", name, f.value(), err, code)
			}
		}
	}
	if err := f.Set("EN"); err != nil || f.value() != "1" {
		t.Errorf("--language EN: %v", err)
	}
}
