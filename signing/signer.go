package signing

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// DefaultVersion is the API version filled into "version" when neither the
// body nor Signer.Version sets one.
const DefaultVersion = "3.0"

// ErrBodyReplaced is returned by CheckSigned when a request's body is not the
// one EditRequest installed.
var ErrBodyReplaced = errors.New("signing: request body was replaced after signing: the signing editor must run last")

// Signer fills the global fields of a Mall API request body and signs it.
//
// Set the fields once, then share the Signer: its methods never modify it,
// so it is safe for concurrent use as long as nobody changes the fields (or
// the TradeTypes map) afterwards.
type Signer struct {
	// PartnerCode is filled into "partnerCode" when the body's is absent,
	// null or "". If both are empty, signing fails.
	PartnerCode string

	// Version is filled into "version" when the body's is absent, null or
	// "". The zero value means DefaultVersion.
	Version string

	// TradeTypes maps a request path suffix, such as "/singleVerify" or
	// "/synPartner/SynOrderInfo", to the tradeType filled in when the body's
	// is absent, null or "". The entry used is the longest key that is a
	// suffix of the request path starting at a '/' boundary, so a base URL
	// prefix such as "/vshop" does not matter. A path that matches no key,
	// for a body without a tradeType, is an error naming the path.
	TradeTypes map[string]string

	// Now is the clock for "tradeTime" (13-digit epoch milliseconds, filled
	// when the body's is absent, null or ""). Nil means time.Now.
	Now func() time.Time
}

// fill names the fields a Signer fills, in the order they are appended.
var fill = [...]string{"partnerCode", "version", "tradeType", "tradeTime"}

// fillKeys holds the same names as bytes, for sorting.
var fillKeys = [len(fill)][]byte{[]byte(fill[0]), []byte(fill[1]), []byte(fill[2]), []byte(fill[3])}

const (
	fillPartner = iota
	fillVersion
	fillTradeType
	fillTradeTime
)

// tradeType finds the tradeType for a request path (see Signer.TradeTypes).
func (s *Signer) tradeType(path string) (string, bool) {
	if len(s.TradeTypes) == 0 {
		return "", false
	}
	// Suffixes in order of decreasing length: at each '/', first with the
	// slash, then without it.
	if path != "" && path[0] != '/' {
		if v := s.TradeTypes[path]; v != "" {
			return v, true
		}
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '/' {
			continue
		}
		if v := s.TradeTypes[path[i:]]; v != "" {
			return v, true
		}
		if i+1 < len(path) {
			if v := s.TradeTypes[path[i+1:]]; v != "" {
				return v, true
			}
		}
	}
	return "", false
}

// SignBody returns the body to send for the JSON object body posted to path
// (the request URL's path, used to look up tradeType): body's members in
// their original order, each written as it is in the signContent (see
// AppendCanonical), except that
//
//   - partnerCode, version, tradeType and tradeTime are filled in place when
//     their value is null or "", and appended in that order when absent;
//   - any "sign" member is removed, and "sign":"<32 lowercase hex>" is
//     appended last.
//
// So every member that counts in the sign goes on the wire in exactly the
// bytes it has in the signContent, key and value: "a\u0026b" from
// encoding/json is sent as "a&b", which is what is signed, and a server that
// hashes the text it received agrees with one that decodes it first. Members
// whose value is null or "" are kept (written null and ""), since they are
// part of what the caller sends; they just do not count in the sign. The
// result is compact JSON. body itself is not modified.
//
// Errors: body is not a valid JSON object (wrapping ErrInvalidBody); no
// partnerCode in body or Signer; no tradeType in body and path not in
// TradeTypes; a clock outside the 13-digit millisecond range.
func (s *Signer) SignBody(body []byte, path string) ([]byte, error) {
	st := getState()
	defer putState(st)
	return s.signBody(st, body, path)
}

func (s *Signer) signBody(st *state, body []byte, path string) ([]byte, error) {
	if err := st.parse(body); err != nil {
		return nil, err
	}
	// Sort the members once: that finds duplicate keys, and the sorted list
	// becomes the canonical order below.
	st.stack = st.stack[:0]
	if _, err := st.pushSorted(0); err != nil {
		return nil, err
	}

	// Find sign and the fields to fill; role is the fill* index, roleSign
	// or roleOther.
	at := [len(fill)]int{-1, -1, -1, -1}
	for c := int(st.nodes[0].child); c >= 0; c = int(st.nodes[c].next) {
		n := &st.nodes[c]
		n.role = roleOf(st.key(c))
		if n.role >= 0 {
			at[n.role] = c
		}
	}
	var need [len(fill)]bool
	for f, c := range at {
		need[f] = c < 0 || st.nodes[c].empty()
	}

	var vals [len(fill)]string
	var timeBuf [24]byte
	var tradeTime []byte
	if need[fillPartner] {
		if s.PartnerCode == "" {
			return nil, errors.New(`signing: no partnerCode: the body has none and Signer.PartnerCode is empty`)
		}
		vals[fillPartner] = s.PartnerCode
	}
	if need[fillVersion] {
		vals[fillVersion] = s.Version
		if vals[fillVersion] == "" {
			vals[fillVersion] = DefaultVersion
		}
	}
	if need[fillTradeType] {
		tt, ok := s.tradeType(path)
		if !ok {
			return nil, fmt.Errorf("signing: no tradeType for request path %q: the body has none and no key of Signer.TradeTypes is a suffix of the path", path)
		}
		vals[fillTradeType] = tt
	}
	for f, v := range vals {
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("signing: the %s to fill in is not valid UTF-8: %q", fill[f], v)
		}
	}
	if need[fillTradeTime] {
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		t := now()
		ms := t.UnixMilli()
		if ms < 1e12 || ms >= 1e13 {
			return nil, fmt.Errorf("signing: clock time %v is not a 13-digit epoch-millisecond tradeTime", t)
		}
		tradeTime = strconv.AppendInt(timeBuf[:0], ms, 10)
	}
	appendFill := func(dst []byte, f int) []byte {
		if f == fillTradeTime {
			dst = append(dst, '"')
			dst = append(dst, tradeTime...)
			return append(dst, '"')
		}
		return appendQuoted(dst, vals[f])
	}
	// filled returns the field whose value replaces member c's, or -1.
	filled := func(c int) int {
		if f := int(st.nodes[c].role); f >= 0 && need[f] {
			return f
		}
		return -1
	}

	// The body to send, built in st.tmp: members in input order, each in its
	// canonical form (the bytes it has in the signContent), then the absent
	// fields, then the sign.
	out := append(st.tmp[:0], '{')
	for c := int(st.nodes[0].child); c >= 0; c = int(st.nodes[c].next) {
		n := &st.nodes[c]
		if n.role == roleSign {
			if n.kind == kindObject || n.kind == kindArray {
				// Dropped, but the body must still be valid (no duplicate keys).
				var err error
				if st.discard, err = st.appendValue(st.discard[:0], c); err != nil {
					return nil, err
				}
			}
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = st.appendKey(out, c)
		if f := filled(c); f >= 0 {
			out = appendFill(out, f)
		} else {
			var err error
			if out, err = st.appendValue(out, c); err != nil {
				st.tmp = out
				return nil, err // a duplicate key in a nested object
			}
		}
	}
	for f, c := range at {
		if c < 0 {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, '"')
			out = append(out, fill[f]...)
			out = append(out, '"', ':')
			out = appendFill(out, f)
		}
	}
	st.tmp = out

	// Its canonical form, from the parse of body and the fill values rather
	// than by parsing out again. Entries are member indices, or -1-f for an
	// appended field f. Keep the sorted members that are signed, then insert
	// the appended fields in order.
	m := st.stack[:0]
	for _, c := range st.stack {
		if st.nodes[c].role != roleSign && (filled(c) >= 0 || !st.nodes[c].empty()) {
			m = append(m, c)
		}
	}
	entryKey := func(e int) []byte {
		if e < 0 {
			return fillKeys[-1-e]
		}
		return st.key(e)
	}
	for f, c := range at {
		if c < 0 {
			m = append(m, -1-f)
			for j := len(m) - 1; j > 0 && bytes.Compare(entryKey(m[j]), entryKey(m[j-1])) < 0; j-- {
				m[j], m[j-1] = m[j-1], m[j]
			}
		}
	}
	st.stack = m
	can := append(st.discard[:0], '{')
	for k := range len(m) {
		e := st.stack[k] // re-read: nested objects may grow st.stack
		if k > 0 {
			can = append(can, ',')
		}
		f := -1 - e
		if e >= 0 {
			can = st.appendKey(can, e)
			f = filled(e)
		} else {
			can = append(can, '"')
			can = append(can, fill[f]...)
			can = append(can, '"', ':')
		}
		var err error
		if f >= 0 {
			can = appendFill(can, f)
		} else if can, err = st.appendValue(can, e); err != nil {
			st.discard = can
			return nil, err // a duplicate key in a nested object
		}
	}
	can = append(can, '}')
	st.discard = can
	st.stack = st.stack[:0]
	sum := md5.Sum(can)

	// One allocation of the right size for the result.
	res := make([]byte, 0, len(out)+len(`,"sign":""}`)+2*len(sum))
	res = append(res, out...)
	res = append(res, `,"sign":"`...)
	res = hex.AppendEncode(res, sum[:])
	return append(res, '"', '}'), nil
}

// roleSign and roleOther are the node roles of top-level members that are
// not fields to fill.
const (
	roleSign  = -2
	roleOther = -1
)

// roleOf classifies a top-level key for signBody.
func roleOf(key []byte) int8 {
	switch len(key) {
	case 4:
		if string(key) == "sign" {
			return roleSign
		}
	case 7:
		if string(key) == "version" {
			return fillVersion
		}
	case 9:
		switch string(key) {
		case "tradeType":
			return fillTradeType
		case "tradeTime":
			return fillTradeTime
		}
	case 11:
		if string(key) == "partnerCode" {
			return fillPartner
		}
	}
	return roleOther
}

// EditRequest signs an outgoing request: it reads req.Body, fills and signs
// it with SignBody (looking up tradeType by req.URL.Path), and replaces
// req.Body, req.ContentLength and req.GetBody together, so redirects and
// retries resend the signed bytes. It has the signature of oapi-codegen's
// RequestEditorFn; register it as the last editor (a client option such as
// WithRequestEditorFn), because any editor that changes the body afterwards
// breaks the sign. CheckSigned detects that.
//
// A request without a body, or with an empty one, is an error. On error the
// original body has been consumed and closed, and the request must not be sent.
func (s *Signer) EditRequest(ctx context.Context, req *http.Request) error {
	if req == nil || req.URL == nil {
		return errors.New("signing: EditRequest: request or its URL is nil")
	}
	if req.Body == nil || req.Body == http.NoBody {
		return fmt.Errorf("signing: request %s %s has no body: Mall API requests carry their parameters and sign in a JSON body", req.Method, req.URL.Path)
	}
	st := getState()
	defer putState(st)
	var err error
	st.in, err = readBody(st.in[:0], req.Body, req.ContentLength)
	closeErr := req.Body.Close()
	if err != nil {
		return fmt.Errorf("signing: reading the body of %s %s: %w", req.Method, req.URL.Path, err)
	}
	if closeErr != nil {
		return fmt.Errorf("signing: closing the body of %s %s: %w", req.Method, req.URL.Path, closeErr)
	}
	if len(st.in) == 0 {
		return fmt.Errorf("signing: request %s %s has an empty body: Mall API requests carry their parameters and sign in a JSON body", req.Method, req.URL.Path)
	}
	signed, err := s.signBody(st, st.in, req.URL.Path)
	if err != nil {
		return err
	}
	sig := &signature{b: signed}
	sig.r.Reset(signed)
	// An io.NopCloser over a *bytes.Reader, which net/http recognizes as in
	// memory: it then writes the headers and the body in one go. (For any
	// other body type it flushes the headers first, a second write and
	// packet that costs more than signing on a loopback round trip.)
	sig.body = io.NopCloser(&sig.r)
	req.Body = sig.body
	req.ContentLength = int64(len(signed))
	req.GetBody = sig.getBody
	return nil
}

// readBody reads r to the end into buf, presized from the content length.
func readBody(buf []byte, r io.Reader, length int64) ([]byte, error) {
	if length > 0 && length < 1<<26 && int64(cap(buf)) <= length {
		buf = make([]byte, 0, length+1) // +1: EOF is seen without growing
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// signature is what EditRequest leaves on a request: the signed bytes, the
// body it installed, and the GetBody that hands out fresh copies of it.
// CheckSigned finds it through req.GetBody.
type signature struct {
	b    []byte
	r    bytes.Reader  // the installed body's reader
	body io.ReadCloser // the installed body, io.NopCloser(&r)
}

// getBody is the request's GetBody: a fresh reader over the signed bytes.
func (sig *signature) getBody() (io.ReadCloser, error) {
	sb := &signedBody{sig: sig}
	sb.r.Reset(sig.b)
	return sb, nil
}

// signedBody is a body made by GetBody after EditRequest, for a redirect
// or a retry. (net/http writes its headers and body in two writes; such
// resends are rare.)
type signedBody struct {
	r   bytes.Reader
	sig *signature
}

func (sb *signedBody) Read(p []byte) (int, error)         { return sb.r.Read(p) }
func (sb *signedBody) WriteTo(w io.Writer) (int64, error) { return sb.r.WriteTo(w) }
func (sb *signedBody) Close() error                       { return nil }

// signatureOf returns what EditRequest left on req if req.Body is still the
// signed body it installed, or one from its GetBody; otherwise nil. It calls
// req.GetBody, if set, to find out.
func signatureOf(req *http.Request) *signature {
	if req.Body == nil || req.GetBody == nil {
		return nil
	}
	if sb, ok := req.Body.(*signedBody); ok {
		return sb.sig
	}
	rc, err := req.GetBody()
	if err != nil || rc == nil {
		return nil
	}
	sb, ok := rc.(*signedBody)
	if !ok {
		rc.Close() // someone else's body
		return nil
	}
	// The installed body is an io.NopCloser over sig.r: equal interfaces
	// hold the same *bytes.Reader.
	if req.Body != sb.sig.body {
		return nil
	}
	return sb.sig
}

// CheckSigned reports whether req is still as EditRequest left it: its Body
// is the signed body (or a fresh one from its GetBody) and its ContentLength
// matches. An HTTP doer should call it just before sending, so an editor that
// replaced the body after signing fails loudly (with ErrBodyReplaced)
// instead of sending a request the server rejects. It calls req.GetBody
// (EditRequest's, unless an editor replaced it too) to find the signed bytes.
func CheckSigned(req *http.Request) error {
	_, err := checkSigned(req)
	return err
}

// SignedBytes returns the signed body of a request that passes CheckSigned,
// for logging or for resending. The bytes are shared with the request and
// must not be modified.
func SignedBytes(req *http.Request) ([]byte, bool) {
	sig, err := checkSigned(req)
	if err != nil {
		return nil, false
	}
	return sig.b, true
}

func checkSigned(req *http.Request) (*signature, error) {
	if req == nil {
		return nil, errors.New("signing: CheckSigned: request is nil")
	}
	sig := signatureOf(req)
	if sig == nil {
		return nil, ErrBodyReplaced
	}
	if req.ContentLength != int64(len(sig.b)) {
		return nil, fmt.Errorf("%w (ContentLength is %d, the signed body is %d bytes)", ErrBodyReplaced, req.ContentLength, len(sig.b))
	}
	return sig, nil
}
