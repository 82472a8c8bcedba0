package specvalidate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// FieldRule is what the spec asks of one string member of a request body. The generator of the
// vshop client compiles the spec's request schemas into FieldRules (CompileBody) and writes them
// into the client as Go literals, so a client never loads the spec to validate a request.
type FieldRule struct {
	Name      string
	Required  bool
	MinLength int            // in characters; 0: none
	MaxLength int            // in characters; -1: none
	Pattern   *regexp.Regexp // nil: none
	Enum      []string       // nil: any value
}

// BodyRules are the rules of one operation's request body, one per property, sorted by name.
type BodyRules []FieldRule

// CompileBody reduces a request body schema to BodyRules: an object whose properties are all
// strings constrained by minLength, maxLength, pattern or enum (nullable is allowed: a client built
// on BodyRules never sends null). Anything else (a nested object, a number, a format, allOf, ...) is
// an error naming the property, because BodyRules could not express it.
func CompileBody(s *openapi3.Schema) (BodyRules, error) {
	if s == nil || !s.Type.Is("object") || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) != 0 || s.Not != nil ||
		s.AdditionalProperties.Schema != nil || s.MinProps != 0 || s.MaxProps != nil || len(s.Enum) != 0 {
		return nil, errors.New("the body schema is not a plain object of string properties")
	}
	var rules BodyRules
	for name, ref := range s.Properties {
		r, err := compileString(name, ref.Value)
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
		r.Required = slices.Contains(s.Required, name)
		rules = append(rules, r)
	}
	for _, name := range s.Required {
		if !slices.ContainsFunc(rules, func(r FieldRule) bool { return r.Name == name }) {
			return nil, fmt.Errorf("required property %s has no schema", name)
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Name < rules[j].Name })
	return rules, nil
}

func compileString(name string, s *openapi3.Schema) (FieldRule, error) {
	if s == nil || !s.Type.Is("string") || s.Format != "" || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) != 0 ||
		s.Not != nil || s.ReadOnly || s.WriteOnly {
		return FieldRule{}, errors.New("not a plain string schema (type string, no format, no composition)")
	}
	r := FieldRule{Name: name, MinLength: int(s.MinLength), MaxLength: -1}
	if s.MaxLength != nil {
		r.MaxLength = int(*s.MaxLength)
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return FieldRule{}, fmt.Errorf("pattern %q: %w", s.Pattern, err)
		}
		r.Pattern = re
	}
	for _, e := range s.Enum {
		v, ok := e.(string)
		if !ok {
			return FieldRule{}, fmt.Errorf("enum value %v is not a string", e)
		}
		r.Enum = append(r.Enum, v)
	}
	return r, nil
}

// Check validates a body of string members against the rules: value returns a member's value, ""
// when the member is absent (a client built on BodyRules never sends an empty string). It returns
// nil or a *FieldError for the first property, in name order, that breaks its rule, worded as
// kin-openapi's errors are worded by this package ("is required", "must match ^[0-9]+$", ...).
func (rules BodyRules) Check(op string, value func(name string) string) error {
	for i := range rules {
		r := &rules[i]
		v := value(r.Name)
		if v == "" {
			if r.Required {
				return &FieldError{Operation: op, Field: r.Name, Rule: "is required"}
			}
			continue
		}
		if rule := r.check(v); rule != "" {
			return &FieldError{Operation: op, Field: r.Name, Rule: rule}
		}
	}
	return nil
}

// check returns what v breaks, or "".
func (r *FieldRule) check(v string) string {
	if !utf8.ValidString(v) {
		return "must be valid UTF-8"
	}
	if r.MinLength > 0 || r.MaxLength >= 0 {
		n := utf8.RuneCountInString(v)
		if n < r.MinLength {
			if r.MinLength == 1 {
				return "must not be empty"
			}
			return fmt.Sprintf("must be at least %d characters long", r.MinLength)
		}
		if r.MaxLength >= 0 && n > r.MaxLength {
			return fmt.Sprintf("must be at most %d characters long", r.MaxLength)
		}
	}
	if r.Enum != nil && !slices.Contains(r.Enum, v) {
		return "must be one of " + quoteAll(r.Enum)
	}
	if r.Pattern != nil && !r.Pattern.MatchString(v) {
		return "must match " + r.Pattern.String()
	}
	return ""
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
