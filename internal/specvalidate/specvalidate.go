// Package specvalidate checks Vshop request bodies against the spec, two ways:
//
//   - [Validator] validates a received body against the embedded OpenAPI spec with kin-openapi, as the
//     sandbox does on every request;
//   - [CompileBody] reduces a request schema to [BodyRules] at generate time, which the client checks
//     before every send without loading the spec ([BodyRules.Check]).
//
// Both report the first problem as a [FieldError] that names the field and the rule ("deviceCode: must
// match ^[0-9]+$"); TestRulesAgreeWithKin and FuzzRules check that the two give the same verdicts.
//
// Validation never changes the body: schema defaults are not written into it.
package specvalidate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/vshop-go/vshop/generated"
)

// Validator validates requests against the embedded spec. It is safe for concurrent use.
type Validator struct {
	router routers.Router
	opts   *openapi3filter.Options
}

// New loads the embedded spec and prepares a Validator. Requests are matched by the end of their
// path, so any base URL (production, UAT, a sandbox on a loopback port) works.
func New() (*Validator, error) {
	doc, err := generated.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("specvalidate: loading the embedded spec: %w", err)
	}
	doc.Servers = nil // match on the operation path alone
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("specvalidate: building the router: %w", err)
	}
	v := &Validator{router: router, opts: &openapi3filter.Options{
		SkipSettingDefaults: true,
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	}}
	return v, nil
}

// FieldError is a request that breaks the spec: Field names the body field ("" for the body as a
// whole), Rule says what it must satisfy.
type FieldError struct {
	// Operation is the spec's operationId, or "" if the path matched none.
	Operation string
	Field     string
	Rule      string
}

// Error reads "deviceCode: must match ^[0-9]+$".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Rule
	}
	return e.Field + ": " + e.Rule
}

// ErrUnknownOperation is returned for a path that is not an operation of the spec.
var ErrUnknownOperation = errors.New("not an operation of the Vshop spec")

// Request validates a POST of body to path (the base URL's own prefix, such as /vshop, may be present)
// with kin-openapi. It returns nil or a *FieldError, or an error wrapping ErrUnknownOperation.
func (v *Validator) Request(ctx context.Context, method, path string, body []byte) error {
	route, params, err := v.find(method, path)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://vshop.invalid"+route.Path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: v.opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return describe(route.Operation.OperationID, err)
	}
	return nil
}

func (v *Validator) find(method, path string) (*routers.Route, map[string]string, error) {
	// Try the path, then drop leading segments (a base-URL prefix) until an operation matches.
	p := path
	for {
		u := &url.URL{Path: p}
		route, params, err := v.router.FindRoute(&http.Request{Method: method, URL: u})
		if err == nil {
			return route, params, nil
		}
		i := strings.IndexByte(strings.TrimPrefix(p, "/"), '/')
		if i < 0 {
			return nil, nil, fmt.Errorf("%s %s: %w", method, path, ErrUnknownOperation)
		}
		p = p[i+1:]
	}
}

var missingProperty = regexp.MustCompile(`property "([^"]+)" is missing`)

// describe turns kin-openapi's error into a FieldError with a short rule.
func describe(op string, err error) error {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		var re *openapi3filter.RequestError
		if errors.As(err, &re) && re.Err != nil {
			return &FieldError{Operation: op, Rule: "the body is not valid JSON: " + re.Err.Error()}
		}
		return &FieldError{Operation: op, Rule: err.Error()}
	}
	field := strings.Join(se.JSONPointer(), ".")
	s := se.Schema
	var rule string
	switch se.SchemaField {
	case "required":
		if m := missingProperty.FindStringSubmatch(se.Reason); m != nil && !strings.HasSuffix(field, m[1]) {
			field = joinField(field, m[1])
		}
		rule = "is required"
	case "pattern":
		rule = "must match " + s.Pattern
	case "minLength":
		if s.MinLength == 1 {
			rule = "must not be empty"
		} else {
			rule = fmt.Sprintf("must be at least %d characters long", s.MinLength)
		}
	case "maxLength":
		rule = fmt.Sprintf("must be at most %d characters long", *s.MaxLength)
	case "enum":
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			vals[i] = fmt.Sprintf("%q", e)
		}
		rule = "must be one of " + strings.Join(vals, ", ")
	case "type":
		rule = "must be a JSON " + strings.Join(s.Type.Slice(), " or ")
		if s.Type.Is("string") {
			rule += " (every Vshop value is a string, numbers included)"
		}
	default:
		rule = se.Reason
	}
	return &FieldError{Operation: op, Field: field, Rule: rule}
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}
