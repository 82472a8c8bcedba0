package vshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vshop-go/vshop/internal/specvalidate"
	"github.com/vshop-go/vshop/signing"
)

// DefaultMaxResponseBytes is the largest answer the client reads; a larger one is an error, not an
// out-of-memory crash. Vshop answers are a few KiB.
const DefaultMaxResponseBytes = 4 << 20

// ErrResponseTooLarge is wrapped by the error of a call whose answer is larger than the limit set
// with WithMaxResponseBytes (default [DefaultMaxResponseBytes]). The client stops reading at the limit.
var ErrResponseTooLarge = errors.New("the answer is larger than the client's limit")

// doer is the HTTP doer of the generated client that NewClient returns. For each call it
//
//  1. reads the body the generated client built (after every request editor has run),
//  2. signs it (signing.Signer.SignBody) and, unless validation is off, checks the signed body against
//     the spec, so nothing invalid leaves;
//  3. sends it, reads the answer within the size limit, and retries per the RetrySafe, CheckRetry and
//     Backoff policies, re-signing every retry with a fresh tradeTime;
//  4. turns anything but a success envelope into an error, and logs one line.
//
// Signing here, rather than in a request editor, means no editor can run after the signer: every
// editor edits the unsigned body, which is then signed.
//
// The retry loop is written here rather than taken from hashicorp/go-retryablehttp (v0.7.8), whose
// Client.Do does not fit a shared, signing client:
//   - it calls HTTPClient.CloseIdleConnections() whenever a call ends in an error (retries spent,
//     connection error, deadline) and when the context ends during a backoff, emptying the idle pool
//     that every other goroutine's calls share, at the moment the server is struggling;
//   - Backoff gets neither the context nor the call, so it cannot stop before a wait that would pass
//     the deadline; Do sleeps until the context ends and returns the bare ctx.Err(), losing the last
//     answer (say, a 503 APIError) and the operation's name;
//   - PrepareRetry's new body is overwritten by the rewind at the top of the next attempt unless the
//     Request is built with its unexported body func left nil; the wait is a time.Timer that tests
//     cannot fake; it does not read bodies, so a body cut off mid-way cannot be retried; and its
//     backoffs have no exponential-with-jitter variant and parse Retry-After only for 429 and 503.
//
// Adapting it would take a per-call Client, a transport wrapper hiding CloseIdleConnections and our
// own Backoff, more code than the loop below. The policies keep go-retryablehttp's shapes: CheckRetry
// and Backoff have its signatures, so its policy functions convert and compose.
type doer struct {
	client    *http.Client
	ops       *operationTable
	signer    *signing.Signer
	validator *specvalidate.Validator // nil: validation off
	timeout   time.Duration           // 0: none beyond the caller's context
	maxBytes  int64

	retryMax         int
	waitMin, waitMax time.Duration
	retrySafe        RetrySafe
	checkRetry       CheckRetry
	backoff          Backoff
	sleep            func(ctx context.Context, d time.Duration) error

	logger *slog.Logger // nil: no logging
	mask   func(string) string
}

// call is what one call has learned so far, for its log line.
type call struct {
	op          operation
	attempts    int
	status      int
	operateCode string
	m           *masker
}

// Do signs, validates and sends req, with retries where they are safe, and returns the answer with its
// body buffered, or an error.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	start := time.Now()
	ctx := req.Context()
	op, ok := d.ops.lookup(req.URL.Path)
	if !ok {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("vshop: %s %s is not an operation of the Vshop spec", req.Method, req.URL.Path)
	}
	c := &call{op: op}
	resp, err := d.do(ctx, c, req)
	if d.logger != nil {
		if c.m == nil {
			c.m = &masker{mask: d.mask}
		}
		d.logCall(ctx, c, c.m, time.Since(start), err)
	}
	return resp, err
}

func (d *doer) do(ctx context.Context, c *call, req *http.Request) (*http.Response, error) {
	unsigned, err := readRequestBody(req)
	if err != nil {
		return nil, fmt.Errorf("vshop %s: reading the request body: %w", c.op.ID, err)
	}
	if d.logger != nil {
		dev := deviceOf(unsigned)
		c.m = &masker{mask: d.mask, device: dev, masked: d.mask(dev)}
	}
	signed, err := d.signer.SignBody(unsigned, req.URL.Path)
	if err != nil {
		return nil, fmt.Errorf("vshop %s: %w", c.op.ID, err)
	}
	if d.validator != nil {
		if err := validate(ctx, d.validator, c.op, signed); err != nil {
			return nil, err
		}
	}

	parent := ctx
	if d.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		defer cancel()
	}
	repeatable := d.retryMax > 0 && d.retrySafe(c.op.ID, signed)
	debug := d.debugEnabled(ctx)
	var used []int64 // the tradeTimes of the attempts so far, once there is a retry

	for attempt := 1; ; attempt++ {
		c.attempts = attempt
		if attempt > 1 {
			// A fresh tradeTime: the caller's own tradeTime, if any, is used for the first attempt only.
			if used == nil {
				used = append(used, tradeTimeOf(signed))
			}
			var ms int64
			if signed, ms, err = d.resign(unsigned, used, req.URL.Path); err != nil {
				return nil, fmt.Errorf("vshop %s: signing attempt %d: %w", c.op.ID, attempt, err)
			}
			used = append(used, ms)
		}
		if debug {
			d.logRequest(ctx, c, c.m, attempt, signed)
		}
		resp, body, err := d.send(ctx, c, req, signed)
		if resp != nil {
			c.status = resp.StatusCode
			if debug && body != nil {
				d.logResponse(ctx, c, c.m, attempt, resp.StatusCode, body)
			}
		}
		if err != nil && ctx.Err() != nil {
			return nil, d.ctxError(parent, ctx, c, err, "")
		}
		if errors.Is(err, ErrResponseTooLarge) {
			return nil, err // the same answer again would be as large
		}
		if errors.Is(err, ErrRedirect) {
			// Never retried, whatever the policies: the same request would be redirected again.
			return nil, fmt.Errorf("vshop %s: %s: %w", c.op.ID, attemptsText(attempt), err)
		}
		if repeatable && attempt <= d.retryMax {
			var answer *http.Response
			if err == nil {
				answer = resp
				answer.Body = newBodyReader(body)
			}
			retry, perr := d.checkRetry(ctx, answer, err)
			if perr != nil {
				return nil, fmt.Errorf("vshop %s: %s: %w", c.op.ID, attemptsText(attempt), perr)
			}
			if retry {
				wait := max(d.backoff(d.waitMin, d.waitMax, attempt-1, answer), 0)
				if fits(ctx, wait) {
					if debug {
						d.logRetry(ctx, c, c.m, attempt, c.status, err, wait)
					}
					if serr := d.sleep(ctx, wait); serr != nil {
						return nil, d.ctxError(parent, ctx, c, serr, fmt.Sprintf(" while waiting %v to retry", wait))
					}
					continue
				}
				// The wait would pass the deadline: the last attempt's result stands.
			}
		}
		if err != nil {
			return nil, fmt.Errorf("vshop %s: %s: %w", c.op.ID, attemptsText(attempt), err)
		}
		opCode, rerr := checkReply(c.op.ID, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		c.operateCode = opCode
		if rerr != nil {
			return nil, rerr
		}
		resp.Body = newBodyReader(body)
		return resp, nil
	}
}

// send makes one attempt with the signed body and reads the answer within the size limit. It never
// modifies orig. A non-nil resp with a non-nil error means the answer could not be read.
func (d *doer) send(ctx context.Context, c *call, orig *http.Request, signed []byte) (*http.Response, []byte, error) {
	req := orig.WithContext(ctx) // a shallow copy
	// io.NopCloser over a *bytes.Reader: net/http recognizes it as in memory and writes the headers
	// and the body in one go (for other body types it flushes the headers first: two packets).
	req.Body = io.NopCloser(bytes.NewReader(signed))
	req.ContentLength = int64(len(signed))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(signed)), nil } // for 307/308
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := readAnswer(resp, d.maxBytes)
	if errors.Is(err, ErrResponseTooLarge) {
		return resp, nil, fmt.Errorf("vshop %s: HTTP %d: %w: more than %d bytes (see WithMaxResponseBytes)", c.op.ID, resp.StatusCode, err, d.maxBytes)
	}
	if err != nil {
		return resp, nil, fmt.Errorf("reading the HTTP %d answer: %w", resp.StatusCode, err)
	}
	return resp, body, nil
}

// readAnswer reads and closes resp.Body, failing with ErrResponseTooLarge past limit bytes without
// reading further.
func readAnswer(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, ErrResponseTooLarge
	}
	size := int64(512)
	if resp.ContentLength >= 0 {
		size = resp.ContentLength + 1 // +1: EOF is seen without growing
	}
	buf, err := readAll(make([]byte, 0, min(size, limit)), resp.Body, limit)
	if err != nil {
		return nil, err
	}
	if int64(len(buf)) == limit { // full: is there more?
		var one [1]byte
		if n, _ := io.ReadFull(resp.Body, one[:]); n > 0 {
			return nil, ErrResponseTooLarge
		}
	}
	return buf, nil
}

// readAll reads r into buf until EOF or until buf holds limit bytes. It doubles buf's capacity as
// needed, never beyond limit, so that reading up to the limit allocates about twice the limit (append
// would grow large slices by 1.25 and allocate about five times as much).
func readAll(buf []byte, r io.Reader, limit int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) >= limit {
				return buf, nil
			}
			grown := make([]byte, len(buf), min(int64(max(2*cap(buf), 512)), limit))
			copy(grown, buf)
			buf = grown
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

// readRequestBody reads and closes the body the generated client built.
func readRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, errors.New("the request has no body: Vshop requests carry their parameters in a JSON body")
	}
	defer req.Body.Close()
	size := int64(512)
	if req.ContentLength > 0 && req.ContentLength < 1<<26 {
		size = req.ContentLength + 1
	}
	return readAll(make([]byte, 0, size), req.Body, math.MaxInt64)
}

// bodyReader is a response body over bytes held in memory.
type bodyReader struct{ bytes.Reader }

func newBodyReader(b []byte) *bodyReader {
	r := &bodyReader{}
	r.Reset(b)
	return r
}

// Close does nothing: the bytes stay valid.
func (*bodyReader) Close() error { return nil }

// withoutTradeTime returns body with a non-empty top-level tradeTime set to "", so that the signer
// fills in a fresh one; body itself is not modified, and is returned as is when it has no tradeTime
// to clear.
func withoutTradeTime(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return body
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return body
		}
		from := dec.InputOffset()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return body
		}
		if key != "tradeTime" {
			continue
		}
		if string(v) == `""` || string(v) == "null" {
			return body
		}
		to := dec.InputOffset()
		i := bytes.Index(body[from:to], v)
		if i < 0 {
			return body
		}
		start := int(from) + i
		out := make([]byte, 0, len(body))
		out = append(out, body[:start]...)
		out = append(out, `""`...)
		return append(out, body[start+len(v):]...)
	}
	return body
}

// resign signs unsigned again for a retry, with a tradeTime from the clock. If the clock reads a
// tradeTime an earlier attempt used (a clock that has not moved on, or a fake one), the next unused
// millisecond is taken instead, so no two attempts of a call carry the same tradeTime and sign.
func (d *doer) resign(unsigned []byte, used []int64, path string) ([]byte, int64, error) {
	clock := d.signer.Now
	if clock == nil {
		clock = time.Now
	}
	var chosen int64
	s := *d.signer
	s.Now = func() time.Time {
		chosen = clock().UnixMilli()
		for slices.Contains(used, chosen) {
			chosen++
		}
		return time.UnixMilli(chosen)
	}
	signed, err := s.SignBody(withoutTradeTime(unsigned), path)
	return signed, chosen, err
}

// tradeTimeOf reads the tradeTime of a signed body (0 if it has none that is a number).
func tradeTimeOf(body []byte) int64 {
	var b struct {
		TradeTime string `json:"tradeTime"`
	}
	_ = json.Unmarshal(body, &b)
	ms, _ := strconv.ParseInt(b.TradeTime, 10, 64)
	return ms
}

// fits reports whether a wait ends before ctx's deadline.
func fits(ctx context.Context, wait time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > wait
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ctxError reports a call that ended with its context: the caller's, or the client's timeout. The
// error wraps ctx.Err(), so errors.Is(err, context.DeadlineExceeded) or context.Canceled holds.
func (d *doer) ctxError(parent, ctx context.Context, c *call, err error, during string) error {
	var what string
	switch {
	case parent.Err() == nil:
		what = fmt.Sprintf("no answer within the client's timeout of %v (see WithTimeout)", d.timeout)
	case errors.Is(parent.Err(), context.DeadlineExceeded):
		what = "the caller's deadline passed"
	default:
		what = "the caller cancelled the call"
	}
	if ctxErr := ctx.Err(); !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return fmt.Errorf("vshop %s: %s%s, %s: %w", c.op.ID, what, during, attemptsText(c.attempts), err)
}

func attemptsText(n int) string {
	if n == 1 {
		return "after 1 attempt"
	}
	return fmt.Sprintf("after %d attempts", n)
}
