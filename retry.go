package vshop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry defaults used by [NewClient] when no option overrides them.
const (
	// DefaultRetryMax is how many times a call may be retried after its first attempt.
	DefaultRetryMax = 3
	// DefaultRetryWaitMin is the base of the backoff: the first wait is between half of it and all of it.
	DefaultRetryWaitMin = 250 * time.Millisecond
	// DefaultRetryWaitMax caps a computed backoff (but not a server's Retry-After).
	DefaultRetryWaitMax = 5 * time.Second
)

// RetrySafe decides whether a request may be sent more than once. The client calls it once per call,
// before the first attempt, with the operation (its Retry class comes from the spec's x-retry) and the
// request's fields as signed for the first attempt. When it returns false the request is sent once,
// whatever [CheckRetry] says; when it returns true, [CheckRetry] decides after each attempt.
//
// A RetrySafe must be safe for concurrent use. The default is [DefaultRetrySafe]; to retry nothing,
// use WithRetryMax(0).
type RetrySafe func(op Operation, f Fields) bool

// DefaultRetrySafe is the default [RetrySafe]. It follows the operation's Retry class, read from the
// spec's x-retry, which allows a repeat only where one cannot do harm:
//
//   - verifyCard, listPlans, listOrders and listAutoRenewals only read (Retry.Always): always.
//   - createOrder (Retry.IfSet orderNo): only when the request carries an orderNo that is not blank.
//     Linksfield documents orderNo as the id that marks the order request as unique
//     (请求下单时标识此请求为唯一请求), so a repeat carrying the same orderNo is the same order request
//     (that the Mall then refuses to book it twice is inferred from that, not documented). Leave
//     orderNo empty and the order is sent exactly once: a lost answer then leaves the caller to
//     check with ListOrders before ordering again.
//   - syncThirdPartyOrder (Retry.IfSet orderNo, payId): only when both are set and not blank, for
//     the same reason: the repeat reports the same payment of the same order.
//   - cancelAutoRenewal (no Retry class): never. It changes state, and if the first attempt's answer
//     was lost after the Mall cancelled the renewal, a repeat would come back as a failure (the
//     renewal is no longer active) for a call that succeeded. List the auto-renewals to find out; or,
//     knowing that, allow it with a RetrySafe that wraps this one (see the example of WithRetrySafe).
func DefaultRetrySafe(op Operation, f Fields) bool {
	if op.Retry.Always {
		return true
	}
	for _, name := range op.Retry.IfSet {
		if strings.TrimSpace(f.Get(name)) == "" {
			return false
		}
	}
	return len(op.Retry.IfSet) > 0
}

// CheckRetry decides, after an attempt of a call that [RetrySafe] allows to repeat, whether to try
// again. It gets the attempt's answer (resp, with its body already read by the client and offered
// again from memory) or the error that stopped the attempt (err: a connection error, or an error
// reading the answer); exactly one of them is non-nil. ctx is the call's context.
//
// Return true to retry. A non-nil error ends the call with that error instead of the attempt's. The
// client itself stops when the retries allowed by WithRetryMax are spent, when the context is done,
// and when the wait before the next attempt would pass the context's deadline: a CheckRetry need not
// check those. It must not keep resp, and must be safe for concurrent use.
//
// The signature is the one of go-retryablehttp's CheckRetry, so its policies convert:
// vshop.CheckRetry(retryablehttp.DefaultRetryPolicy).
type CheckRetry func(ctx context.Context, resp *http.Response, err error) (bool, error)

// DefaultCheckRetry is the default [CheckRetry]: it retries connection and read errors (except TLS
// certificate errors and the context's own end, which a retry cannot fix), 429 Too Many Requests, and
// every 5xx status except 501 Not Implemented. It never returns an error.
func DefaultCheckRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, nil
	}
	if err != nil {
		var (
			unknownAuthority x509.UnknownAuthorityError
			invalidCert      x509.CertificateInvalidError
			hostname         x509.HostnameError
			verify           *tls.CertificateVerificationError
		)
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
			errors.As(err, &unknownAuthority), errors.As(err, &invalidCert), errors.As(err, &hostname), errors.As(err, &verify):
			return false, nil
		}
		return true, nil
	}
	if resp == nil {
		return false, nil
	}
	return resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented), nil
}

// Backoff says how long to wait before the next attempt. attemptNum is 0 for the wait after the first
// attempt, 1 after the second, and so on; min and max are the values of WithRetryWait; resp is the
// answer that is being retried, or nil after a connection error. The client never waits past the
// context's deadline: when the wait would end after it, the call ends with the last attempt's result.
// A Backoff must be safe for concurrent use.
//
// The signature is the one of go-retryablehttp's Backoff, so its policies convert:
// vshop.Backoff(retryablehttp.LinearJitterBackoff).
type Backoff func(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration

// DefaultBackoff is the default [Backoff]: capped exponential backoff with jitter, and the server's
// Retry-After where it gives one.
//
// If resp carries a Retry-After header (seconds, or an HTTP date, see [ParseRetryAfter]) the wait is
// exactly what it asks, even above max: retrying earlier would be refused anyway, and the context's
// deadline still bounds it. Otherwise the wait is drawn uniformly between half and all of
// min·2^attemptNum (a negative attemptNum counts as 0), capped at max (so with the defaults: 125–250 ms, 250–500 ms, 0.5–1 s, ...).
func DefaultBackoff(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := ParseRetryAfter(resp.Header, time.Now()); ok {
			return d
		}
	}
	if min <= 0 || max <= 0 {
		return 0
	}
	if attemptNum < 0 {
		attemptNum = 0
	}
	d := max
	if attemptNum < 62 {
		if e := min << attemptNum; e > 0 && e>>attemptNum == min && e < max {
			d = e
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// ParseRetryAfter reads a Retry-After header: a number of seconds ("120") or an HTTP date
// ("Fri, 31 Dec 1999 23:59:59 GMT", counted from now). ok is false when the header is absent or
// malformed; a date in the past gives 0.
func ParseRetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(1<<62)/int64(time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}
