package vshop

import (
	"errors"
	"fmt"

	"github.com/vshop-go/vshop/internal/specvalidate"
)

// ValidationError is a request the client refused to send because it breaks the spec: a required field
// is missing or empty, a value is not one of its enum's codes, a device code has letters in it, a
// value is not valid UTF-8, and so on. Nothing was sent. Find it with errors.As:
//
//	var ve *vshop.ValidationError
//	if errors.As(err, &ve) {
//		log.Printf("fix field %s: %s", ve.Field, ve.Rule)
//	}
//
// Fix the request (the rule says how), or turn validation off with WithValidation(false) if the spec is
// stricter than the service you talk to.
type ValidationError struct {
	// Operation is the spec's operationId, e.g. "listAutoRenewals".
	Operation string
	// Field is the body field that breaks the spec ("deviceCode"); it is empty when the body as a
	// whole is wrong.
	Field string
	// Rule is what the field must satisfy: "must match ^[0-9]+$", "must not be empty",
	// "must be one of "0", "1", ...", "is required".
	Rule string

	err error // the underlying error, for Unwrap
}

// Error reads, for example, `vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$`.
func (e *ValidationError) Error() string {
	what := e.Rule
	if e.Field != "" {
		what = e.Field + ": " + e.Rule
	}
	return fmt.Sprintf("vshop %s: invalid request, not sent: %s", e.Operation, what)
}

// Unwrap returns the underlying error.
func (e *ValidationError) Unwrap() error { return e.err }

// validate checks a request's fields against rules generated from the spec's request schema (every
// property's minLength, maxLength, pattern and enum, and the required list): op.rules, or some of them.
func validate(op *Operation, f Fields, rules specvalidate.BodyRules) error {
	err := rules.Check(op.ID, f.Get)
	if err == nil {
		return nil
	}
	var fe *specvalidate.FieldError
	if errors.As(err, &fe) {
		return &ValidationError{Operation: op.ID, Field: fe.Field, Rule: fe.Rule, err: err}
	}
	return fmt.Errorf("vshop %s: validating the request: %w", op.ID, err)
}
