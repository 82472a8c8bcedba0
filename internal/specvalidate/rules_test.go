package specvalidate

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vshop-go/vshop/generated"
)

// ruleCase is one operation's compiled rules, a body its rules and kin-openapi both accept, and the
// validator.
type ruleCase struct {
	path  string
	rules BodyRules
	valid map[string]string
}

// ruleCases compiles every operation's request schema and builds a valid body for it from the
// properties' examples (or values that fit their rules).
func ruleCases(t testing.TB) ([]ruleCase, *Validator) {
	t.Helper()
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var cases []ruleCase
	for path, item := range doc.Paths.Map() {
		schema := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Value
		rules, err := CompileBody(schema)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		valid := map[string]string{}
		for _, r := range rules {
			valid[r.Name] = sample(schema.Properties[r.Name].Value, r)
		}
		cases = append(cases, ruleCase{path: path, rules: rules, valid: valid})
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].path < cases[j].path })
	return cases, v
}

// sample is a value that satisfies a property's rule.
func sample(s *openapi3.Schema, r FieldRule) string {
	switch {
	case r.Name == "sign":
		return "0123456789abcdef0123456789abcdef"
	case r.Name == "tradeTime":
		return "1645683857572"
	case len(r.Enum) > 0 && r.Enum[0] != "":
		return r.Enum[0]
	case len(r.Enum) > 1:
		return r.Enum[1]
	}
	if ex, ok := s.Example.(string); ok && ex != "" {
		return ex
	}
	return "x"
}

// verdicts gives the rules' and kin-openapi's verdicts on a body of string members ("" is absent, as
// the client never sends an empty string).
func verdicts(t testing.TB, v *Validator, c ruleCase, body map[string]string) (rulesOK, kinOK bool, kinErr error) {
	sent := map[string]string{}
	for k, val := range body {
		if val != "" {
			sent[k] = val
		}
	}
	raw, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	rulesOK = c.rules.Check("op", func(name string) string { return sent[name] }) == nil
	kinErr = v.Request(context.Background(), "POST", c.path, raw)
	return rulesOK, kinErr == nil, kinErr
}

// TestRulesAgreeWithKin checks, for every operation, that the compiled rules and kin-openapi give the
// same verdict on a valid body and on each field removed or set to values that break a rule.
func TestRulesAgreeWithKin(t *testing.T) {
	cases, v := ruleCases(t)
	if len(cases) != 7 {
		t.Fatalf("%d operations, want 7", len(cases))
	}
	values := []string{"", "x", "0", "1", "12", "abc", "ABC", "89a", "8985", "4.99", "4.", "USD", "US", "P000270", " ", "é", strings.Repeat("9", 300),
		"2022-06-07 15:10:35", "2022-06-07", "ea7a3bba7e345e0b8ca7f7e3b43d6e72", "EA7A3BBA7E345E0B8CA7F7E3B43D6E72"}
	checked := 0
	for _, c := range cases {
		if r, k, err := verdicts(t, v, c, c.valid); !r || !k {
			t.Fatalf("%s: the valid body: rules %v, kin-openapi %v (%v)", c.path, r, k, err)
		}
		for name := range c.valid {
			for _, val := range values {
				body := map[string]string{}
				for k, x := range c.valid {
					body[k] = x
				}
				body[name] = val
				r, k, err := verdicts(t, v, c, body)
				if r != k {
					t.Errorf("%s %s=%q: rules say valid=%v, kin-openapi valid=%v (%v)", c.path, name, val, r, k, err)
				}
				checked++
			}
		}
	}
	t.Logf("%d bodies, every verdict the same", checked)
}

// FuzzRules compares the rules' and kin-openapi's verdicts on any value of any field.
func FuzzRules(f *testing.F) {
	cases, v := ruleCases(f)
	f.Add(uint8(0), uint8(0), "89852420180910340793")
	f.Add(uint8(3), uint8(5), "1")
	f.Add(uint8(6), uint8(9), "12.5")
	f.Fuzz(func(t *testing.T, op, field uint8, val string) {
		if !utf8.ValidString(val) {
			return // json.Marshal would send U+FFFD to kin-openapi; the rules refuse it (see TestRulesRefuseInvalidUTF8)
		}
		c := cases[int(op)%len(cases)]
		c.rules = append(BodyRules(nil), c.rules...)
		name := c.rules[int(field)%len(c.rules)].Name
		body := map[string]string{}
		for k, x := range c.valid {
			body[k] = x
		}
		body[name] = val
		if r, k, err := verdicts(t, v, c, body); r != k {
			t.Fatalf("%s %s=%q: rules valid=%v, kin-openapi valid=%v (%v)", c.path, name, val, r, k, err)
		}
	})
}

// TestRulesRefuseInvalidUTF8 checks a value that is not valid UTF-8 breaks its rule, whatever the rule.
func TestRulesRefuseInvalidUTF8(t *testing.T) {
	for _, r := range []FieldRule{{Name: "a", MaxLength: -1}, {Name: "a", MinLength: 1, MaxLength: 3}} {
		err := BodyRules{r}.Check("op", func(string) string { return "\xff" })
		if fe, ok := err.(*FieldError); !ok || fe.Field != "a" || fe.Rule != "must be valid UTF-8" {
			t.Errorf("%+v: %v", r, err)
		}
	}
}
