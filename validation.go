package vshop

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/vshop-go/vshop/internal/specvalidate"
)

// ValidationError is a request the client refused to send because it breaks the spec: a required field
// is missing or empty, a value is not one of its enum's codes, a device code has letters in it, and so
// on. Nothing was sent. Find it with errors.As:
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
	// Field is the body field that breaks the spec, as a dotted path ("deviceCode"); it is empty when
	// the body as a whole is wrong.
	Field string
	// Rule is what the field must satisfy: "must match ^[0-9]+$", "must not be empty",
	// "must be one of "0", "1", ...", "is required".
	Rule string

	err error // the validator's own error, for Unwrap
}

// Error reads, for example, `vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$`.
func (e *ValidationError) Error() string {
	what := e.Rule
	if e.Field != "" {
		what = e.Field + ": " + e.Rule
	}
	return fmt.Sprintf("vshop %s: invalid request, not sent: %s", e.Operation, what)
}

// Unwrap returns the validator's error.
func (e *ValidationError) Unwrap() error { return e.err }

// validator is the spec validator, built once from the embedded spec and shared by every client (it is
// safe for concurrent use and never changed).
var validator = sync.OnceValues(specvalidate.New)

// validate checks the signed body of an operation against the spec.
func validate(ctx context.Context, v *specvalidate.Validator, op operation, body []byte) error {
	err := v.Request(ctx, "POST", op.Path, body)
	if err == nil {
		return nil
	}
	var fe *specvalidate.FieldError
	if errors.As(err, &fe) {
		return &ValidationError{Operation: op.ID, Field: fe.Field, Rule: fe.Rule, err: err}
	}
	return fmt.Errorf("vshop %s: validating the request: %w", op.ID, err)
}
