package signing

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// vectorA is the portal's signed /singleVerify example as fields.
var vectorA = []Field{
	{"tradeType", "singleVerify"}, {"deviceCode", "89852420180910340793"}, {"languageCode", "1"}, {"mark", "0"},
	{"partnerCode", "P000270"}, {"terminal", "1"}, {"tradeTime", "1645683857572"},
	{"url", "https://dist.linksfield.net/login"}, {"version", "3.0"},
}

func TestAppendSigned(t *testing.T) {
	tests := []struct {
		name   string
		fields []Field
		want   string // the whole body
	}{
		{"documented vector A, fields in any order", vectorA,
			`{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`},
		{"empty values are left out", []Field{{"b", ""}, {"a", "1"}},
			`{"a":"1","sign":"` + md5hex(`{"a":"1"}`) + `"}`},
		{"no fields", nil, `{"sign":"` + md5hex(`{}`) + `"}`},
		{"characters written canonically, exactly as signed", []Field{{"url", "a=1&b=<2>\u2028\u2029\"\\/\n\x01欧洲😀"}},
			`{"url":"a=1&b=<2>` + "\u2028\u2029" + `\"\\/\n\u0001欧洲😀","sign":"` + md5hex(`{"url":"a=1&b=<2>`+"\u2028\u2029"+`\"\\/\n\u0001欧洲😀"}`) + `"}`},
		{"keys in byte order", []Field{{"a", "1"}, {"Z", "2"}, {"plan_id", "3"}, {"pm_id", "4"}},
			`{"Z":"2","a":"1","plan_id":"3","pm_id":"4","sign":"` + md5hex(`{"Z":"2","a":"1","plan_id":"3","pm_id":"4"}`) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendSigned([]byte("prefix"), tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, []byte("prefix")) || string(got[len("prefix"):]) != tt.want {
				t.Fatalf("got  %s\nwant prefix%s", got, tt.want)
			}
			body := got[len("prefix"):]
			if err := Verify(body); err != nil {
				t.Errorf("Verify: %v", err)
			}
			// The body minus its sign is its own canonical form: what is sent is what is signed.
			can, err := Canonical(body)
			if err != nil {
				t.Fatal(err)
			}
			if i := bytes.LastIndex(body, []byte(`,"sign":`)); i >= 0 && string(can) != string(body[:i])+"}" {
				t.Errorf("canonical %s is not the body before its sign", can)
			}
			var decoded map[string]string
			if err := json.Unmarshal(body, &decoded); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.fields {
				if f.Value != "" && decoded[f.Name] != f.Value {
					t.Errorf("%s decodes to %q, want %q", f.Name, decoded[f.Name], f.Value)
				}
			}
		})
	}
}

func TestAppendSignedErrors(t *testing.T) {
	many := make([]Field, MaxFields+1)
	for i := range many {
		many[i] = Field{Name: strings.Repeat("k", i+1), Value: "v"}
	}
	tests := []struct {
		name   string
		fields []Field
		want   string
	}{
		{"duplicate", []Field{{"a", "1"}, {"b", "2"}, {"a", "3"}}, `field "a" is given twice`},
		{"sign given", []Field{{"sign", "x"}}, `"sign" is computed`},
		{"invalid UTF-8 value", []Field{{"payId", "P\xff"}}, `payId: the value is not valid UTF-8`},
		{"invalid UTF-8 name", []Field{{"a\xff", "1"}}, `field name "a\xff" is not valid UTF-8`},
		{"too many", many, "more than the 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("x")
			got, err := AppendSigned(dst, tt.fields)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if string(got) != "x" {
				t.Errorf("dst changed to %q on error", got)
			}
		})
	}
}

func BenchmarkAppendSigned(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendSigned(buf[:0], vectorA); err != nil {
			b.Fatal(err)
		}
	}
}
