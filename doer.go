package vshop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vshop-go/vshop/signing"
)

// DefaultMaxResponseBytes is the largest answer the client reads; a larger one is an error, not an
// out-of-memory crash. Vshop answers are a few KiB.
const DefaultMaxResponseBytes = 4 << 20

// ErrResponseTooLarge is wrapped by the error of a call whose answer is larger than the limit set
// with WithMaxResponseBytes (default [DefaultMaxResponseBytes]). The client stops reading at the limit.
var ErrResponseTooLarge = errors.New("the answer is larger than the client's limit")

// call is one call of an operation: it builds and signs the request from fields, validates it,
// sends it with retries where they are safe (re-signing every retry with a fresh tradeTime), reads the
// answer within the size limit and decodes it once, strictly, into out (a pointer to the operation's
// data type). Errors name the operation. It logs one line per call when the client has a logger.
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
func (c *Client) call(ctx context.Context, op *Operation, fields []signing.Field, out any) error {
	start := time.Now()
	k := &callState{op: op}
	err := c.do(ctx, k, fields, out)
	if c.cfg.logger != nil {
		c.logCall(ctx, k, time.Since(start), err)
	}
	return err
}

// callState is what one call has learned so far, for its log line.
type callState struct {
	op          *Operation
	attempts    int
	status      int
	operateCode string
	m           masker
}

// Fields is what a [RetrySafe] sees of a request: the values of its members, the global ones
// (partnerCode, version, tradeType, tradeTime) included.
type Fields struct{ list []signing.Field }

// Get returns the value of the member name, or "" if the request does not carry it.
func (f Fields) Get(name string) string {
	for i := range f.list {
		if f.list[i].Name == name {
			return f.list[i].Value
		}
	}
	return ""
}

func (c *Client) do(ctx context.Context, k *callState, fields []signing.Field, out any) error {
	op := k.op
	n := len(fields)
	fields = append(fields,
		signing.Field{Name: "partnerCode", Value: c.partner},
		signing.Field{Name: "version", Value: c.cfg.version},
		signing.Field{Name: "tradeType", Value: op.TradeType},
		signing.Field{Name: "tradeTime"},
	)
	f := Fields{list: fields}
	if c.cfg.logger != nil {
		dev := f.Get("deviceCode")
		k.m = masker{mask: c.cfg.mask, device: dev, masked: c.cfg.mask(dev)}
	}
	tradeTime := &fields[n+3].Value
	last, err := c.tradeTime(0)
	if err != nil {
		return fmt.Errorf("vshop %s: %w", op.ID, err)
	}
	*tradeTime = formatMillis(last)
	if c.cfg.validate {
		if err := validate(op, f, op.rules); err != nil {
			return err
		}
	}
	body, err := signing.AppendSigned(make([]byte, 0, 512), fields)
	if err != nil {
		return &ValidationError{Operation: op.ID, Rule: err.Error(), err: err}
	}

	parent := ctx
	if c.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	repeatable := c.cfg.retryMax > 0 && c.cfg.retrySafe(*op, f)
	debug := c.debugEnabled(ctx)
	target := c.urls[op.idx]

	for attempt := 1; ; attempt++ {
		k.attempts = attempt
		if attempt > 1 {
			// A fresh tradeTime, never one an earlier attempt used, so no two attempts share a sign.
			if last, err = c.tradeTime(last); err != nil {
				return fmt.Errorf("vshop %s: signing attempt %d: %w", op.ID, attempt, err)
			}
			*tradeTime = formatMillis(last)
			if body, err = signing.AppendSigned(body[:0], fields); err != nil {
				return fmt.Errorf("vshop %s: signing attempt %d: %w", op.ID, attempt, err)
			}
		}
		if debug {
			c.logRequest(ctx, k, attempt, body)
		}
		resp, answer, err := c.send(ctx, k, target, body)
		if resp != nil {
			k.status = resp.StatusCode
			if debug && answer != nil {
				c.logResponse(ctx, k, attempt, resp.StatusCode, answer)
			}
		}
		if err != nil && ctx.Err() != nil {
			return c.ctxError(parent, ctx, k, err, "")
		}
		if errors.Is(err, ErrResponseTooLarge) {
			return err // the same answer again would be as large
		}
		if errors.Is(err, ErrRedirect) {
			// Never retried, whatever the policies: the same request would be redirected again.
			return fmt.Errorf("vshop %s: %s: %w", op.ID, attemptsText(attempt), err)
		}
		if repeatable && attempt <= c.cfg.retryMax {
			var again *http.Response
			if err == nil {
				again = resp
				again.Body = newBodyReader(answer)
			}
			retry, perr := c.cfg.checkRetry(ctx, again, err)
			if perr != nil {
				return fmt.Errorf("vshop %s: %s: %w", op.ID, attemptsText(attempt), perr)
			}
			if retry {
				wait := max(c.cfg.backoff(c.cfg.waitMin, c.cfg.waitMax, attempt-1, again), 0)
				if fits(ctx, wait) {
					if debug {
						c.logRetry(ctx, k, attempt, k.status, err, wait)
					}
					if serr := c.cfg.sleep(ctx, wait); serr != nil {
						return c.ctxError(parent, ctx, k, serr, fmt.Sprintf(" while waiting %v to retry", wait))
					}
					continue
				}
				// The wait would pass the deadline: the last attempt's result stands.
			}
		}
		if err != nil {
			return fmt.Errorf("vshop %s: %s: %w", op.ID, attemptsText(attempt), err)
		}
		code, rerr := decodeReply(op, resp.StatusCode, resp.Header.Get("Content-Type"), answer, out)
		k.operateCode = code
		return rerr
	}
}

// tradeTime reads the clock in epoch milliseconds; after must be 0 or the tradeTime of the previous
// attempt, which the result then exceeds (a clock that has not moved on, or a fake one, gives the next
// millisecond).
func (c *Client) tradeTime(after int64) (int64, error) {
	t := c.cfg.now()
	ms := t.UnixMilli()
	if ms < 1e12 || ms >= 1e13 {
		return 0, fmt.Errorf("the clock reads %v, which is not a 13-digit epoch-millisecond tradeTime", t)
	}
	if after != 0 && ms <= after {
		ms = after + 1
	}
	return ms, nil
}

func formatMillis(ms int64) string { return strconv.FormatInt(ms, 10) }

var jsonContentType = []string{"application/json"}

// send makes one attempt with the signed body and reads the answer within the size limit. A non-nil
// resp with a non-nil error means the answer could not be read.
func (c *Client) send(ctx context.Context, k *callState, u *url.URL, signed []byte) (*http.Response, []byte, error) {
	// The request as http.NewRequestWithContext makes it, from the URL parsed once by NewClient (net/http
	// does not modify it). The body, io.NopCloser over a *bytes.Reader, is one net/http knows to be in
	// memory: it writes the headers and the body in one go (for other body types it flushes the
	// headers first: two packets). GetBody serves a 307/308 to the same host.
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": jsonContentType},
		Body:          io.NopCloser(bytes.NewReader(signed)),
		GetBody:       func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(signed)), nil },
		ContentLength: int64(len(signed)),
		Host:          u.Host,
	}).WithContext(ctx)
	resp, err := c.cfg.httpClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := readAnswer(resp, c.cfg.maxBytes)
	if errors.Is(err, ErrResponseTooLarge) {
		return resp, nil, fmt.Errorf("vshop %s: HTTP %d: %w: more than %d bytes (see WithMaxResponseBytes)", k.op.ID, resp.StatusCode, err, c.cfg.maxBytes)
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

// bodyReader is a response body over bytes held in memory.
type bodyReader struct{ bytes.Reader }

func newBodyReader(b []byte) *bodyReader {
	r := &bodyReader{}
	r.Reset(b)
	return r
}

// Close does nothing: the bytes stay valid.
func (*bodyReader) Close() error { return nil }

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
func (c *Client) ctxError(parent, ctx context.Context, k *callState, err error, during string) error {
	var what string
	switch {
	case parent.Err() == nil:
		what = fmt.Sprintf("no answer within the client's timeout of %v (see WithTimeout)", c.cfg.timeout)
	case errors.Is(parent.Err(), context.DeadlineExceeded):
		what = "the caller's deadline passed"
	default:
		what = "the caller cancelled the call"
	}
	if ctxErr := ctx.Err(); !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return fmt.Errorf("vshop %s: %s%s, %s: %w", k.op.ID, what, during, attemptsText(k.attempts), err)
}

func attemptsText(n int) string {
	if n == 1 {
		return "after 1 attempt"
	}
	return fmt.Sprintf("after %d attempts", n)
}
