package main

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// TestCheckedInJSONIsTheYAML checks openapi/vshop.json is what Convert makes of openapi/vshop.yaml
// (the same check as `make spec-check`), and that both load as the same OpenAPI document.
func TestCheckedInJSONIsTheYAML(t *testing.T) {
	y, err := os.ReadFile("../../../openapi/vshop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := os.ReadFile("../../../openapi/vshop.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Convert(y)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, j) {
		t.Error("openapi/vshop.json is out of date with openapi/vshop.yaml: run `make spec` and commit it")
	}

	load := func(b []byte) any {
		doc, err := openapi3.NewLoader().LoadFromData(b)
		if err != nil {
			t.Fatal(err)
		}
		m, err := doc.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(m, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !reflect.DeepEqual(load(y), load(got)) {
		t.Error("kin-openapi loads the YAML and its JSON conversion as different documents")
	}

	// The same data as a plain YAML decode, and the key order of the YAML.
	var fromYAML any
	if err := yaml.Unmarshal(y, &fromYAML); err != nil {
		t.Fatal(err)
	}
	var fromJSON any
	if err := json.Unmarshal(got, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalize(fromYAML), normalize(fromJSON)) {
		t.Error("the JSON does not hold the same data as the YAML")
	}
	if !(bytes.Index(got, []byte(`"openapi"`)) < bytes.Index(got, []byte(`"info"`)) &&
		bytes.Index(got, []byte(`"info"`)) < bytes.Index(got, []byte(`"paths"`)) &&
		bytes.Index(got, []byte(`"paths"`)) < bytes.Index(got, []byte(`"components"`))) {
		t.Error("top-level keys are not in the YAML's order")
	}
}

// normalize makes yaml and json decodes comparable (ints vs float64).
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
		return v
	case int:
		return float64(v)
	}
	return v
}

func TestConvert(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{name: "order and types kept", in: "b: 1\na: \"1\"\nc: [true, null, 1.5, x]\n",
			want: "{\n  \"b\": 1,\n  \"a\": \"1\",\n  \"c\": [\n    true,\n    null,\n    1.5,\n    \"x\"\n  ]\n}\n"},
		{name: "html characters not escaped", in: "d: \"<a & b>\"\n", want: "{\n  \"d\": \"<a & b>\"\n}\n"},
		{name: "alias resolved", in: "a: &x {k: v}\nb: *x\n",
			want: "{\n  \"a\": {\n    \"k\": \"v\"\n  },\n  \"b\": {\n    \"k\": \"v\"\n  }\n}\n"},
		{name: "merge key", in: "a: &x {k: v}\nb:\n  <<: *x\n", err: "merge"},
		{name: "timestamp", in: "a: 2001-12-14\n", err: "timestamp"},
		{name: "infinity", in: "a: .inf\n", err: "cannot be written as JSON"},
		{name: "two documents", in: "a: 1\n---\nb: 2\n", err: "exactly one"},
		{name: "duplicate key", in: "a: 1\na: 2\n", err: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Convert([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
