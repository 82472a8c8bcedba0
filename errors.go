package vshop

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"
)

// SuccessCode is the only operateCode Linksfield documents: the call succeeded.
const SuccessCode = "S"

// APIError is an answer from the service that is not a success: a failure envelope (operateCode other
// than "S") or a non-2xx HTTP status. Find it with errors.As.
type APIError struct {
	// Operation is the spec's operationId, e.g. "listAutoRenewals" (empty if unknown).
	Operation string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// OperateCode and Message come from the envelope, when the body had one. Linksfield documents no
	// failure codes; the vshop sandbox uses "F".
	OperateCode string
	Message     string
	// Body is the raw answer, as received.
	Body []byte
}

// Error describes the failure in one line.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("vshop")
	if e.Operation != "" {
		b.WriteString(" " + e.Operation)
	}
	fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	if e.OperateCode != "" {
		fmt.Fprintf(&b, ", operateCode %q", e.OperateCode)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	} else if e.OperateCode == "" {
		fmt.Fprintf(&b, ": %s", bodyStart(e.Body))
	}
	return b.String()
}

// DecodeError is an answer that could not be understood: not JSON, malformed or truncated JSON, a
// JSON body without the {operateCode, message, data} envelope, an ambiguous envelope (a key twice,
// or in another case), or data whose JSON type is not the one the spec gives (Field names it).
type DecodeError struct {
	// Operation is the spec's operationId (empty if unknown).
	Operation string
	// StatusCode and ContentType describe the answer.
	StatusCode  int
	ContentType string
	// Field is the member of the answer that could not be decoded ("data.orderList"), or "" when the
	// answer as a whole could not.
	Field string
	// BodyStart is the beginning of the body, for the error message.
	BodyStart string
	// Err is the underlying problem.
	Err error
}

// Error says which operation got what, and shows the start of the body.
func (e *DecodeError) Error() string {
	op := ""
	if e.Operation != "" {
		op = " " + e.Operation
	}
	field := ""
	if e.Field != "" {
		field = " " + e.Field + ":"
	}
	return fmt.Sprintf("vshop%s: cannot decode the HTTP %d answer (Content-Type %q):%s %v; body starts %s",
		op, e.StatusCode, e.ContentType, field, e.Err, e.BodyStart)
}

// Unwrap returns the underlying problem.
func (e *DecodeError) Unwrap() error { return e.Err }

// decodeReply reads an answer once: a success envelope's data goes into out (a pointer to the
// operation's data type); anything else becomes an *APIError (a failure envelope, a non-2xx status)
// or a *DecodeError (not JSON, an ambiguous envelope, data of the wrong type). It also returns the
// envelope's operateCode, when it has one, for logging.
func decodeReply(op string, status int, contentType string, body []byte, out any) (operateCode string, err error) {
	env, scanErr := scanEnvelope(body)
	if scanErr == nil && env.hasCode {
		operateCode = env.code
	}
	if status < 200 || status > 299 {
		e := &APIError{Operation: op, StatusCode: status, Body: body}
		if scanErr == nil && env.hasCode {
			e.OperateCode, e.Message = env.code, env.message
		}
		return operateCode, e
	}
	fail := func(field string, err error) error {
		return &DecodeError{Operation: op, StatusCode: status, ContentType: contentType, Field: field, BodyStart: bodyStart(body), Err: err}
	}
	switch {
	case !isJSON(contentType):
		return operateCode, fail("", errors.New("the Content-Type is not JSON"))
	case scanErr != nil:
		return operateCode, fail("", scanErr)
	case !env.hasCode:
		return operateCode, fail("", errors.New("the body has no operateCode"))
	case env.code != SuccessCode:
		return operateCode, &APIError{Operation: op, StatusCode: status, OperateCode: env.code, Message: env.message, Body: body}
	}
	if env.data == nil || string(env.data) == "null" {
		return operateCode, nil
	}
	if err := json.Unmarshal(env.data, out); err != nil {
		field := "data"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field = "data." + te.Field
		}
		return operateCode, fail(field, err)
	}
	return operateCode, nil
}

func isJSON(contentType string) bool {
	if contentType == "application/json" {
		return true // the common case, without parsing
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// bodyStart quotes at most the first 120 bytes of body, cut at a rune boundary.
func bodyStart(body []byte) string {
	const max = 120
	if len(body) <= max {
		return fmt.Sprintf("%q", body)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return fmt.Sprintf("%q (%d bytes in all)", body[:cut], len(body))
}
