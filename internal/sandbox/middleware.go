package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/internal/specvalidate"
	"github.com/vshop-go/vshop/signing"
)

// operation is what the gate knows about one path of the spec.
type operation struct {
	method string
	fields map[string]bool // the request body's property names
}

// loadOperations reads the spec's paths, methods and request fields from the embedded spec.
func loadOperations() (map[string]operation, error) {
	doc, err := generated.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("sandbox: loading the embedded spec: %w", err)
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := operation{method: method, fields: map[string]bool{}}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
					for name := range mt.Schema.Value.Properties {
						o.fields[name] = true
					}
				}
			}
			if _, dup := ops[path]; dup {
				return nil, fmt.Errorf("sandbox: the spec has more than one operation on %s", path)
			}
			ops[path] = o
		}
	}
	return ops, nil
}

// router is the mux the generated handler registers its routes on. It matches "METHOD path" exactly on
// r.URL.Path, the same path the gate checked, and answers anything else with a failure envelope
// (http.ServeMux would answer a plain-text 404 or redirect).
type router struct {
	routes map[string]http.HandlerFunc // by "METHOD path"
}

var _ generated.ServeMux = (*router)(nil)

// HandleFunc registers handler for pattern, "METHOD path" as the generated code writes it.
func (m *router) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	if m.routes == nil {
		m.routes = map[string]http.HandlerFunc{}
	}
	m.routes[pattern] = handler
}

// ServeHTTP dispatches r to the handler of its method and path.
func (m *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := m.routes[r.Method+" "+r.URL.Path]
	if !ok {
		writeFailure(w, http.StatusNotFound, fmt.Sprintf("no operation for %s %q", r.Method, r.URL.Path))
		return
	}
	h(w, r)
}

// writeFailure answers with the failure envelope {"operateCode":"F","message":msg}, unless an answer
// has already begun (then nothing more can be said).
func writeFailure(w http.ResponseWriter, status int, msg string) {
	if aw, ok := w.(*answerWriter); ok && aw.started {
		return
	}
	body, err := json.Marshal(generated.FailureReply{OperateCode: FailureCode, Message: msg})
	if err != nil { // cannot happen for a struct of two strings
		body = []byte(`{"operateCode":"F","message":"the sandbox could not encode its answer"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// answerWriter remembers whether the answer has begun, so that a late failure (a panic, or an error
// writing the answer) does not write a second status line.
type answerWriter struct {
	http.ResponseWriter
	started bool
}

func (aw *answerWriter) WriteHeader(status int) {
	aw.started = true
	aw.ResponseWriter.WriteHeader(status)
}

func (aw *answerWriter) Write(b []byte) (int, error) {
	aw.started = true
	return aw.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (aw *answerWriter) Unwrap() http.ResponseWriter { return aw.ResponseWriter }

// recoverer answers HTTP 500 with a failure envelope if anything behind it panics: nothing that
// arrives can crash the sandbox.
func (s *Sandbox) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &answerWriter{ResponseWriter: rw}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				writeFailure(w, http.StatusInternalServerError, fmt.Sprintf("the sandbox failed on this request: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// gate checks a request before the generated handler sees it, in this order: a path of the spec (404),
// its method (405), a JSON Content-Type when one is given (415), a body within MaxBodyBytes (413), the
// signature over the raw bytes (401; 400 when the body is not a JSON object), the spec's schema (400)
// and field names that differ from the spec's only by case (400). It then restores the untouched bytes
// for the generated handler.
func (s *Sandbox) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := s.ops[r.URL.Path]
		if !ok {
			writeFailure(w, http.StatusNotFound, fmt.Sprintf("unknown path %q: the sandbox serves %s at its root",
				r.URL.Path, s.pathList()))
			return
		}
		if r.Method != op.method {
			w.Header().Set("Allow", op.method)
			writeFailure(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s: send %s with a JSON body",
				r.Method, r.URL.Path, op.method))
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || mt != "application/json" {
				writeFailure(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send application/json", ct))
				return
			}
		}
		raw, err := readBody(r)
		if err != nil {
			writeFailure(w, http.StatusBadRequest, "reading the body: "+err.Error())
			return
		}
		if len(raw) > MaxBodyBytes {
			w.Header().Set("Connection", "close") // the rest of the body is not read
			writeFailure(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes))
			return
		}

		// The sign covers the bytes as sent: check it before anything decodes them.
		if err := signing.Verify(raw); err != nil {
			status, msg := signFailure(err)
			writeFailure(w, status, msg)
			return
		}
		if err := s.validator.Request(r.Context(), r.Method, r.URL.Path, raw); err != nil {
			var fe *specvalidate.FieldError
			if errors.As(err, &fe) {
				writeFailure(w, http.StatusBadRequest, fe.Error())
				return
			}
			writeFailure(w, http.StatusBadRequest, "the body breaks the spec: "+err.Error())
			return
		}
		if msg := caseMismatch(raw, op.fields); msg != "" {
			writeFailure(w, http.StatusBadRequest, msg)
			return
		}

		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
		next.ServeHTTP(w, r)
	})
}

// readBody reads at most MaxBodyBytes+1 bytes of r's body: more than MaxBodyBytes means too large.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	return io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
}

// signFailure turns an error of signing.Verify into a status and a message.
func signFailure(err error) (int, string) {
	switch {
	case errors.Is(err, signing.ErrMissingSign):
		return http.StatusUnauthorized, "sign: missing: every request carries sign, the lowercase hex MD5 of the canonical JSON of its other non-empty fields"
	case errors.Is(err, signing.ErrBadSign):
		return http.StatusUnauthorized, "sign: does not match the body: it must be the lowercase hex MD5 of the canonical JSON " +
			"of the body's other non-empty fields (keys sorted, compact, UTF-8 unescaped), computed over the bytes sent"
	case errors.Is(err, signing.ErrInvalidBody):
		detail := strings.TrimPrefix(err.Error(), signing.ErrInvalidBody.Error()+": ")
		return http.StatusBadRequest, "the body is not a valid JSON object: " + detail
	default:
		return http.StatusBadRequest, "the body cannot be checked: " + err.Error()
	}
}

// caseMismatch reports a top-level member whose name is not a field of the operation but equals one
// but for case ("DeviceCode"): the spec's names are case-sensitive, and such a member must not be
// taken for the field when the body is decoded. It returns "" when there is none.
func caseMismatch(raw []byte, fields map[string]bool) string {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return "the body is not a valid JSON object: " + err.Error()
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if fields[name] {
			continue
		}
		for field := range fields {
			if strings.EqualFold(name, field) {
				return fmt.Sprintf("%s: unknown field (field names are case-sensitive): did you mean %s?", name, field)
			}
		}
	}
	return ""
}

// pathList lists the spec's operations, for the unknown-path message.
func (s *Sandbox) pathList() string {
	list := make([]string, 0, len(s.ops))
	for path, op := range s.ops {
		list = append(list, op.method+" "+path)
	}
	sort.Strings(list)
	return strings.Join(list, ", ")
}
