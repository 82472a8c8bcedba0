package vshoptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/internal/rawverify"
	"github.com/vshop-go/vshop/internal/specvalidate"
	"github.com/vshop-go/vshop/signing"
)

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
	writeEnvelope(w, status, FailureCode, msg)
}

// writeEnvelope answers with the envelope {"operateCode":code,"message":msg}, unless an answer has
// already begun.
func writeEnvelope(w http.ResponseWriter, status int, code, msg string) {
	if aw, ok := w.(*answerWriter); ok && aw.started {
		return
	}
	body, err := json.Marshal(generated.FailureReply{OperateCode: code, Message: msg})
	if err != nil { // cannot happen for a struct of two strings
		body = []byte(`{"operateCode":"F","message":"the fake Mall could not encode its answer"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// answerWriter remembers whether the answer has begun, so that a late failure (a panic, or an error
// writing the answer) does not write a second status line, and with which status. It records the
// status in the request's log entry before the answer leaves, so that a client that has its answer
// finds it in Server.Requests.
type answerWriter struct {
	http.ResponseWriter
	started bool
	status  int
	log     *recorder
	entry   *Request
}

// WriteHeader records the status and passes it on.
func (aw *answerWriter) WriteHeader(status int) {
	if !aw.started {
		aw.started, aw.status = true, status
		if aw.log != nil {
			aw.log.setStatus(aw.entry, status)
		}
	}
	aw.ResponseWriter.WriteHeader(status)
}

// Write begins the answer (with status 200 unless one was written) and passes b on.
func (aw *answerWriter) Write(b []byte) (int, error) {
	if !aw.started {
		aw.WriteHeader(http.StatusOK)
	}
	return aw.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (aw *answerWriter) Unwrap() http.ResponseWriter { return aw.ResponseWriter }

// serve is the fake's handler: it records each request in the log, answers HTTP 500 with a failure
// envelope if anything behind it panics (nothing that arrives can crash the fake), and passes the
// request through the gate to next.
func (s *mall) serve(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		entry := &Request{Method: r.Method, Path: r.URL.Path, Time: s.now()}
		w := &answerWriter{ResponseWriter: rw, log: &s.log, entry: entry}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				writeFailure(w, http.StatusInternalServerError, fmt.Sprintf("the fake Mall failed on this request: %v", v))
			}
			if s.accessLog != nil {
				s.logMu.Lock()
				fmt.Fprintf(s.accessLog, "%s %s %s -> %d (%v)\n", start.Format("15:04:05.000"), r.Method, r.URL.Path, w.status,
					time.Since(start).Round(time.Microsecond))
				s.logMu.Unlock()
			}
		}()
		s.gate(w, r, entry, next)
	})
}

// gate records r (entry) and checks it before the generated handler sees it, in this order: a path
// of the spec (404), its method (405), a JSON Content-Type when one is given (415), a body within
// MaxBodyBytes (413), the signature over the raw bytes (401; 400 when the body is not a JSON object),
// the length of every member (400), the spec's schema (400), field names that differ from the spec's
// only by case (400), and version and tradeTime (400; tradeType is the spec's one-value enum). It then restores the untouched bytes
// for the generated handler. Faults, latency and random failures come after the recording and before
// the checks.
func (s *mall) gate(w *answerWriter, r *http.Request, entry *Request, next http.Handler) {
	op, known := s.ops[r.URL.Path]
	entry.Operation = op.id
	raw, readErr := readBody(r, s.limits.MaxBodyBytes)
	entry.Body = raw
	signErr := verifySign(raw)
	entry.SignVerified = readErr == nil && signErr == nil
	s.log.add(entry)

	if known {
		if f, ok := s.faults.take(op.id); ok {
			s.log.setFault(entry)
			if f.apply(w, r, op.id) {
				return
			}
		}
	}
	if s.latency > 0 && !sleep(r, s.latency) {
		return
	}
	if s.failureRate > 0 && rand.Float64() < s.failureRate {
		s.log.setFault(entry)
		w.Header().Set("Retry-After", "1")
		writeFailure(w, http.StatusServiceUnavailable,
			fmt.Sprintf("vshoptest: a random failure (the fake fails a share %v of all requests): retry", s.failureRate))
		return
	}

	if !known {
		writeFailure(w, http.StatusNotFound, fmt.Sprintf("unknown path %q: the fake Mall serves %s at its root",
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
	if readErr != nil {
		w.Header().Set("Connection", "close")
		writeFailure(w, http.StatusBadRequest, "reading the body: "+readErr.Error())
		return
	}
	if int64(len(raw)) > s.limits.MaxBodyBytes {
		w.Header().Set("Connection", "close") // the rest of the body is not read
		writeFailure(w, http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"the body is larger than %d bytes, the fake's limit (vshoptest.Limits.MaxBodyBytes)", s.limits.MaxBodyBytes))
		return
	}

	// The sign covers the bytes as sent: it was checked before anything decoded them.
	if signErr != nil {
		status, msg := signFailure(signErr)
		writeFailure(w, status, msg)
		return
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		writeFailure(w, http.StatusBadRequest, "the body is not a valid JSON object: "+err.Error())
		return
	}
	if msg := s.tooLong(members); msg != "" {
		writeFailure(w, http.StatusBadRequest, msg)
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
	if msg := caseMismatch(members, op.fields); msg != "" {
		writeFailure(w, http.StatusBadRequest, msg)
		return
	}
	if msg := s.strict(members); msg != "" {
		writeFailure(w, http.StatusBadRequest, msg)
		return
	}

	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	next.ServeHTTP(w, r)
}

// readBody reads at most limit+1 bytes of r's body: more than limit means too large.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	return io.ReadAll(io.LimitReader(r.Body, limit+1))
}

// errSentNotSigned is a body whose sign matches its decoded values but not the text it was sent in.
var errSentNotSigned = errors.New("sent not as signed")

// verifySign checks the sign of a received body twice, by two implementations that share no code:
// signing.Verify decodes the body and hashes its canonical form; internal/rawverify hashes the raw
// text of the members as received. A request passes when both agree, that is when every signed
// member was sent exactly as it was signed (spec, "The signature", step 6).
func verifySign(raw []byte) error {
	if err := signing.Verify(raw); err != nil {
		return err
	}
	if err := rawverify.Verify(raw); err != nil {
		return fmt.Errorf("%w: %v", errSentNotSigned, err)
	}
	return nil
}

// signFailure turns an error of verifySign into a status and a message.
func signFailure(err error) (int, string) {
	switch {
	case errors.Is(err, errSentNotSigned):
		return http.StatusUnauthorized, "sign: matches the body's decoded values but not the text sent: send every signed member " +
			"exactly as it is in the signContent (no \\uXXXX escapes for characters the signContent writes raw, keys and values as signed)"
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
func caseMismatch(members map[string]json.RawMessage, fields map[string]bool) string {
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
func (s *mall) pathList() string {
	list := make([]string, 0, len(s.ops))
	for path, op := range s.ops {
		list = append(list, op.method+" "+path)
	}
	sort.Strings(list)
	return strings.Join(list, ", ")
}
