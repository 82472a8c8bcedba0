package vshop

import (
	"encoding/json"
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

// DecodeError is an answer that could not be understood: not JSON, malformed or truncated JSON, or a
// JSON body without the {operateCode, message, data} envelope.
type DecodeError struct {
	// Operation is the spec's operationId (empty if unknown).
	Operation string
	// StatusCode and ContentType describe the answer.
	StatusCode  int
	ContentType string
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
	return fmt.Sprintf("vshop%s: cannot decode the HTTP %d answer (Content-Type %q): %v; body starts %s",
		op, e.StatusCode, e.ContentType, e.Err, e.BodyStart)
}

// Unwrap returns the underlying problem.
func (e *DecodeError) Unwrap() error { return e.Err }

// envelopeHead is the part of every Vshop answer that says whether the call succeeded.
type envelopeHead struct {
	OperateCode *string `json:"operateCode"`
	Message     string  `json:"message"`
}

// checkReply turns an answer that is not a success envelope into an *APIError or a *DecodeError. It
// also returns the envelope's operateCode, when the body has one, for logging.
func checkReply(op string, status int, contentType string, body []byte) (operateCode string, err error) {
	if status >= 200 && status <= 299 && isJSON(contentType) && successEnvelope(body) {
		return SuccessCode, nil
	}
	var head envelopeHead
	decodeErr := json.Unmarshal(body, &head)
	if decodeErr == nil && head.OperateCode != nil {
		operateCode = *head.OperateCode
	}
	if status < 200 || status > 299 {
		e := &APIError{Operation: op, StatusCode: status, Body: body}
		if decodeErr == nil && head.OperateCode != nil {
			e.OperateCode, e.Message = *head.OperateCode, head.Message
		}
		return operateCode, e
	}
	fail := func(err error) error {
		return &DecodeError{Operation: op, StatusCode: status, ContentType: contentType, BodyStart: bodyStart(body), Err: err}
	}
	if !isJSON(contentType) {
		return operateCode, fail(fmt.Errorf("the Content-Type is not JSON"))
	}
	if decodeErr != nil {
		return operateCode, fail(decodeErr)
	}
	if head.OperateCode == nil {
		return operateCode, fail(fmt.Errorf("the body has no operateCode"))
	}
	if *head.OperateCode != SuccessCode {
		return operateCode, &APIError{Operation: op, StatusCode: status, OperateCode: *head.OperateCode, Message: head.Message, Body: body}
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
