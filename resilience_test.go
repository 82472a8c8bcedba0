package vshop

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vshop-go/vshop/signing"
)

// noSleep replaces the wait between attempts in tests that do not measure it.
func noSleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// sleepRecorder records the waits the client asks for instead of waiting.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// tickingClock starts at the documented tradeTime and advances one second per reading, so that every
// signing gets a different tradeTime.
func tickingClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return time.UnixMilli(1645683857572 + 1000*(n.Add(1)-1)) }
}

// script is a loopback server that answers the n-th request with the n-th step (the last step
// repeats) and records the raw bodies it received.
type script struct {
	t      *testing.T
	steps  []http.HandlerFunc
	mu     sync.Mutex
	bodies [][]byte
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("reading body: %v", err)
	}
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, raw)
	s.mu.Unlock()
	s.steps[min(n, len(s.steps)-1)](w, r)
}

func (s *script) received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

func startScript(t *testing.T, steps ...http.HandlerFunc) (*script, *httptest.Server) {
	t.Helper()
	s := &script{t: t, steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// Steps of a script.

func answer(status int, contentType, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// documented answers with the operation's documented example.
func documented(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(documentedReply(t, r.URL.Path))
	}
}

// hangUp closes the connection without answering.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// cutShort announces a 200-byte JSON body, sends 20 bytes and closes the connection.
func cutShort(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"operateCode\":\"S\",\"")
	buf.Flush()
}

// Requests used by the tests.

var renewalsRequest = ListAutoRenewalsRequest{
	DeviceCode: "8100000000012000423", LanguageCode: LanguageChinese, Mark: MarkLinksfieldCard, Terminal: TerminalMobile,
}

func listRenewals(ctx context.Context, c *Client) error {
	recs, err := c.ListAutoRenewals(ctx, renewalsRequest)
	if err == nil && len(recs) != 2 {
		return fmt.Errorf("got %d records, want 2", len(recs))
	}
	return err
}

func createOrder(orderNo string) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.CreateOrder(ctx, CreateOrderRequest{
			AutoRenewal: AutoRenewalOff, DeviceCode: "89860220190905123941", LanguageCode: LanguageChinese,
			Mark: MarkLinksfieldCard, OrderNo: orderNo, OrderPeriod: "1",
			PackageCode: "PACKAGE20180428000007", PayAmount: "4.99", PayCurrency: "USD", ServicePlanCode: "SP1", Terminal: TerminalMobile,
		})
		return err
	}
}

func syncOrder(payID string) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.SyncThirdPartyOrder(ctx, SyncThirdPartyOrderRequest{
			AutoRenewal: AutoRenewalOff, DeviceCode: "89852420180910340793", Mark: MarkLinksfieldCard,
			OrderNo: "NO2023060915590562022", OrderPeriod: "1", PackageCode: "DP20190726001274", PayAccount: "1",
			PayAmount: "12.36", PayCurrency: "GBP", PayId: payID, PayResultDate: "2022-06-07 15:10:35",
			PayRst: "SUCCESS", PayStatus: "1", PayType: "3", Terminal: TerminalMobile,
		})
		return err
	}
}

func cancelRenewal(ctx context.Context, c *Client) error {
	_, err := c.CancelAutoRenewal(ctx, CancelAutoRenewalRequest{
		DeviceCode: "89860220190905123941", LanguageCode: LanguageChinese, Mark: MarkLinksfieldCard,
		OrderNo: "NO2025032713303915052", PayId: "CU-7ZOIHX0RB16U2025032713303774502", Terminal: TerminalMobile,
	})
	return err
}

func wantAPIError(status int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != status {
			t.Fatalf("got %T %v, want *APIError with HTTP %d", err, err, status)
		}
	}
}

func wantNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("got %v, want success", err)
	}
}

// TestRetries runs calls against servers that fail on purpose and checks which are retried, how
// often, after what wait, and that every attempt is signed anew.
func TestRetries(t *testing.T) {
	// retryAfterDate answers 429 with a Retry-After HTTP date 10s after the moment it answers.
	retryAfterDate := func(w http.ResponseWriter, r *http.Request) {
		date := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
		answer(429, "application/json", `{"operateCode":"F","message":"slow down"}`, "Retry-After", date)(w, r)
	}
	tests := []struct {
		name         string
		call         func(context.Context, *Client) error
		opts         []Option
		steps        []http.HandlerFunc
		wantRequests int
		wantWaits    func(*testing.T, []time.Duration)
		check        func(*testing.T, error)
	}{
		{name: "500 then 200: a read-only call succeeds on retry", call: listRenewals,
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "503 with Retry-After: 1 is waited for", call: listRenewals,
			steps:        []http.HandlerFunc{answer(503, "text/plain", "busy", "Retry-After", "1"), documented(t)},
			wantRequests: 2, check: wantNoError,
			wantWaits: func(t *testing.T, w []time.Duration) {
				if len(w) != 1 || w[0] != time.Second {
					t.Errorf("waits %v, want [1s]", w)
				}
			}},
		{name: "429 with a Retry-After HTTP date is waited for", call: listRenewals,
			steps:        []http.HandlerFunc{retryAfterDate, documented(t)},
			wantRequests: 2, check: wantNoError,
			wantWaits: func(t *testing.T, w []time.Duration) {
				// The date has whole seconds: it lies 9-10s after the answer, and the client reads it
				// later still, so the wait is at most 10s (11s: HTTP dates are wall-clock time, which
				// may be stepped meanwhile) and 9s less the delivery time (5s: allow 4s of that on a
				// loaded machine). A backoff that ignored the date would wait under 1s.
				if len(w) != 1 || w[0] < 5*time.Second || w[0] > 11*time.Second {
					t.Errorf("waits %v, want one of 5-11s", w)
				}
			}},
		{name: "a clock that stands still still gives each attempt its own tradeTime", call: listRenewals,
			opts:  []Option{WithClock(func() time.Time { return time.UnixMilli(1645683857572) })},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), answer(503, "text/plain", "busy"), documented(t)}, wantRequests: 3, check: wantNoError},
		{name: "exponential backoff with jitter, capped", call: listRenewals, opts: []Option{WithRetryWait(100*time.Millisecond, 300*time.Millisecond)},
			steps: []http.HandlerFunc{answer(502, "text/html", "<html>bad gateway</html>")}, wantRequests: 4, check: wantAPIError(502),
			wantWaits: func(t *testing.T, w []time.Duration) {
				bounds := [][2]time.Duration{{50, 100}, {100, 200}, {150, 300}}
				if len(w) != len(bounds) {
					t.Fatalf("waits %v, want %d", w, len(bounds))
				}
				for i, b := range bounds {
					if w[i] < b[0]*time.Millisecond || w[i] > b[1]*time.Millisecond {
						t.Errorf("wait %d is %v, want %v-%v ms", i, w[i], b[0], b[1])
					}
				}
			}},
		{name: "a dropped connection is retried", call: listRenewals,
			steps: []http.HandlerFunc{hangUp, documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "an answer cut short is retried", call: listRenewals,
			steps: []http.HandlerFunc{cutShort, documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "createOrder without orderNo is sent once", call: createOrder(""),
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 1, check: wantAPIError(500)},
		{name: "createOrder without orderNo is sent once, even when the connection drops", call: createOrder(""),
			steps: []http.HandlerFunc{hangUp, documented(t)}, wantRequests: 1, check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "createOrder: after 1 attempt") {
					t.Fatalf("got %v", err)
				}
			}},
		{name: "createOrder with orderNo is retried", call: createOrder("2020061214140465562"),
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "syncThirdPartyOrder with payId and orderNo is retried", call: syncOrder("P000000002022"),
			steps: []http.HandlerFunc{answer(503, "text/plain", "busy"), documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "syncThirdPartyOrder without payId is sent once", call: syncOrder(""), opts: []Option{WithValidation(false)},
			steps: []http.HandlerFunc{answer(503, "text/plain", "busy"), documented(t)}, wantRequests: 1, check: wantAPIError(503)},
		{name: "cancelAutoRenewal is sent once", call: cancelRenewal,
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 1, check: wantAPIError(500)},
		{name: "a composed RetrySafe allows cancelAutoRenewal", call: cancelRenewal,
			opts:  []Option{WithRetrySafe(func(op Operation, f Fields) bool { return op.ID == OpCancelAutoRenewal || DefaultRetrySafe(op, f) })},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "501 is not retried", call: listRenewals,
			steps: []http.HandlerFunc{answer(501, "text/plain", "no")}, wantRequests: 1, check: wantAPIError(501)},
		{name: "a failure envelope is not retried", call: listRenewals,
			steps: []http.HandlerFunc{answer(200, "application/json", `{"operateCode":"F","message":"card not found"}`)}, wantRequests: 1, check: wantAPIError(200)},
		{name: "retries stop after WithRetryMax", call: listRenewals, opts: []Option{WithRetryMax(2)},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom")}, wantRequests: 3, check: wantAPIError(500)},
		{name: "WithRetryMax(0) turns retries off", call: listRenewals, opts: []Option{WithRetryMax(0)},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 1, check: wantAPIError(500)},
		{name: "a composed RetrySafe allows createOrder", call: createOrder(""),
			opts:  []Option{WithRetrySafe(func(op Operation, f Fields) bool { return op.ID == OpCreateOrder || DefaultRetrySafe(op, f) })},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "a RetrySafe sees the request's fields as signed, the global ones included", call: listRenewals,
			opts: []Option{WithRetrySafe(func(op Operation, f Fields) bool {
				return op.ID == OpListAutoRenewals && f.Get("partnerCode") == "P000270" && f.Get("version") == "3.0" &&
					f.Get("tradeType") == "queryAutoRenewalRecord" && f.Get("tradeTime") == "1645683857572" &&
					f.Get("deviceCode") == "8100000000012000423" && f.Get("languageCode") == "0" && f.Get("sign") == ""
			})},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 2, check: wantNoError},
		{name: "a RetrySafe that says no is obeyed for a read-only call", call: listRenewals,
			opts:  []Option{WithRetrySafe(func(Operation, Fields) bool { return false })},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom"), documented(t)}, wantRequests: 1, check: wantAPIError(500)},
		{name: "a CheckRetry error ends the call", call: listRenewals,
			opts: []Option{WithCheckRetry(func(ctx context.Context, resp *http.Response, err error) (bool, error) {
				return false, errors.New("policy says no")
			})},
			steps: []http.HandlerFunc{answer(500, "text/plain", "boom")}, wantRequests: 1, check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "policy says no") {
					t.Fatalf("got %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := startScript(t, tt.steps...)
			rec := &sleepRecorder{}
			opts := append([]Option{WithClock(tickingClock()), withSleep(rec.sleep)}, tt.opts...)
			c, err := NewClient(srv.URL+"/vshop", "P000270", opts...)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(context.Background(), c)
			tt.check(t, err)
			t.Logf("error: %v", err)
			got := s.received()
			if len(got) != tt.wantRequests {
				t.Fatalf("server received %d requests, want %d", len(got), tt.wantRequests)
			}
			if tt.wantWaits != nil {
				tt.wantWaits(t, rec.got())
			}
			// Every attempt carries a valid sign and its own tradeTime; the rest of the body is the same.
			seen := map[string]bool{}
			var first map[string]string
			for i, raw := range got {
				if err := signing.Verify(raw); err != nil {
					t.Errorf("attempt %d: the sign does not verify: %v\n%s", i+1, err, raw)
				}
				var f map[string]string
				if err := json.Unmarshal(raw, &f); err != nil {
					t.Fatal(err)
				}
				if seen[f["tradeTime"]] {
					t.Errorf("attempt %d reuses tradeTime %s", i+1, f["tradeTime"])
				}
				seen[f["tradeTime"]] = true
				delete(f, "tradeTime")
				delete(f, "sign")
				if first == nil {
					first = f
				} else if fmt.Sprint(f) != fmt.Sprint(first) {
					t.Errorf("attempt %d body %v differs from the first %v", i+1, f, first)
				}
			}
		})
	}
}

// TestRetryTradeTimes: every attempt is signed anew with its own tradeTime, read from the clock and
// later than the previous attempt's even when the clock stands still or goes back; a clock that does
// not read a 13-digit epoch-millisecond time ends the call before anything is sent.
func TestRetryTradeTimes(t *testing.T) {
	readings := func(ms ...int64) func() time.Time {
		var n atomic.Int64
		return func() time.Time { return time.UnixMilli(ms[min(int(n.Add(1)-1), len(ms)-1)]) }
	}
	tests := []struct {
		name    string
		clock   func() time.Time
		want    []string // the tradeTimes of the attempts
		wantErr string
	}{
		{"a ticking clock: each attempt reads it", tickingClock(), []string{"1645683857572", "1645683858572", "1645683859572"}, ""},
		{"a clock that stands still: the next millisecond", readings(1645683857572), []string{"1645683857572", "1645683857573", "1645683857574"}, ""},
		{"a clock that goes back: still later than the last", readings(1645683857572, 1645683857000, 1645683856000), []string{"1645683857572", "1645683857573", "1645683857574"}, ""},
		{"a clock that jumps ahead: its reading", readings(1645683857572, 1645683857572, 1700000000000), []string{"1645683857572", "1645683857573", "1700000000000"}, ""},
		{"a clock before 2001", readings(999999999999), nil, "vshop listAutoRenewals: the clock reads"},
		{"a clock after 2286", readings(10000000000000), nil, "not a 13-digit epoch-millisecond tradeTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := startScript(t, answer(500, "text/plain", "boom"), answer(503, "text/plain", "busy"), documented(t))
			c, err := NewClient(srv.URL, "P000270", WithClock(tt.clock), withSleep(noSleep))
			if err != nil {
				t.Fatal(err)
			}
			err = listRenewals(context.Background(), c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var times, signs []string
			for _, raw := range s.received() {
				if err := signing.Verify(raw); err != nil {
					t.Errorf("the sign does not verify: %v\n%s", err, raw)
				}
				var f struct{ TradeTime, Sign string }
				if err := json.Unmarshal(raw, &f); err != nil {
					t.Fatal(err)
				}
				times, signs = append(times, f.TradeTime), append(signs, f.Sign)
			}
			if fmt.Sprint(times) != fmt.Sprint(tt.want) {
				t.Errorf("tradeTimes %v, want %v", times, tt.want)
			}
			for i := 1; i < len(signs); i++ {
				if signs[i] == signs[i-1] {
					t.Errorf("attempts %d and %d share the sign %s", i, i+1, signs[i])
				}
			}
		})
	}
}

// TestRetryAfterRealTime waits for a Retry-After of one second for real.
func TestRetryAfterRealTime(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	arrived := func(step http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			step(w, r)
		}
	}
	s, srv := startScript(t, arrived(answer(503, "text/plain", "busy", "Retry-After", "1")), arrived(documented(t)))
	c, err := NewClient(srv.URL, "P000270")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := listRenewals(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if n := len(s.received()); n != 2 {
		t.Fatalf("server received %d requests, want 2", n)
	}
	mu.Lock()
	gap := arrivals[1].Sub(arrivals[0])
	mu.Unlock()
	t.Logf("two attempts took %v, %v apart", elapsed, gap)
	// The second attempt cannot arrive before the wait is over; after it, it takes however long a
	// busy machine needs to deliver it: allow 4s of that. (The default backoff would wait 125-250ms,
	// a Retry-After read as minutes 60s.)
	if gap < time.Second || gap > 5*time.Second {
		t.Errorf("the attempts arrived %v apart, want a wait of 1s", gap)
	}
}

// TestRetriesStopAtDeadline: a wait that would pass the deadline is not started; the last answer's
// error comes back at once, before the deadline.
func TestRetriesStopAtDeadline(t *testing.T) {
	// The deadline leaves ample time for the first attempt on a loaded machine; the Retry-After is far
	// beyond it. A client that started the wait would end with the deadline's error, not the 503, and
	// no sooner than the deadline.
	const deadline = 5 * time.Second
	tests := []struct {
		name string
		opts []Option
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"WithTimeout", []Option{WithTimeout(deadline)}, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
		{"caller's deadline", []Option{WithTimeout(0)}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), deadline)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := startScript(t, answer(503, "text/plain", "busy", "Retry-After", "60"), documented(t))
			c, err := NewClient(srv.URL, "P000270", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err = listRenewals(ctx, c)
			elapsed := time.Since(start)
			wantAPIError(503)(t, err)
			if elapsed >= deadline {
				t.Errorf("took %v, want the 503 before the %v deadline", elapsed, deadline)
			}
			if n := len(s.received()); n != 1 {
				t.Errorf("server received %d requests, want 1", n)
			}
		})
	}
}

// TestTimeoutsAndCancellation: a server that never answers hits the timeout; the caller's deadline
// and cancellation come back as such; every error names the operation.
func TestTimeoutsAndCancellation(t *testing.T) {
	// The server hangs far longer than the timeout (until the client hangs up, or the test ends);
	// the call must end no sooner than the timeout and long before the hang would.
	const timeout, hang, bound = 300 * time.Millisecond, 30 * time.Second, 10 * time.Second
	tests := []struct {
		name    string
		opts    []Option
		ctx     func(arrived <-chan struct{}) (context.Context, context.CancelFunc)
		wantIs  error
		wantMsg string
	}{
		{"WithTimeout(300ms)", []Option{WithTimeout(timeout)}, func(<-chan struct{}) (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, context.DeadlineExceeded, "listAutoRenewals: no answer within the client's timeout of 300ms"},
		{"caller's deadline", nil, func(<-chan struct{}) (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), timeout)
		}, context.DeadlineExceeded, "listAutoRenewals: the caller's deadline passed"},
		{"caller cancels", nil, func(arrived <-chan struct{}) (context.Context, context.CancelFunc) {
			// Cancel once the request is at the server (or after the timeout regardless, which
			// then fails on the count of requests): the call is cancelled in flight.
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-arrived:
				case <-time.After(bound):
				case <-ctx.Done():
				}
				select {
				case <-time.After(timeout):
				case <-ctx.Done():
				}
				cancel()
			}()
			return ctx, cancel
		}, context.Canceled, "listAutoRenewals: the caller cancelled the call"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			arrived := make(chan struct{}, 1)
			testEnds := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				select {
				case arrived <- struct{}{}:
				default:
				}
				io.Copy(io.Discard, r.Body) // (the server notices the client hanging up only once the body is read)
				select {                    // hang until the client gives up
				case <-r.Context().Done():
				case <-testEnds:
				case <-time.After(hang):
				}
			}))
			defer srv.Close()     // runs last: waits for the handler, which by then has returned
			defer close(testEnds) // releases the handler if the client has not hung up
			c, err := NewClient(srv.URL, "P000270", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx(arrived)
			defer cancel()
			start := time.Now()
			err = listRenewals(ctx, c)
			elapsed := time.Since(start)
			t.Logf("after %v: %v", elapsed, err)
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("got %v, want errors.Is %v", err, tt.wantIs)
			}
			var ne net.Error
			if tt.wantIs == context.DeadlineExceeded && (!errors.As(err, &ne) || !ne.Timeout()) {
				t.Errorf("errors.As net.Error with Timeout() fails on %v", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %q, want it to contain %q", err, tt.wantMsg)
			}
			if elapsed < timeout || elapsed > bound {
				t.Errorf("took %v, want %v or more, and less than %v (the server hangs %v)", elapsed, timeout, bound, hang)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("server received %d requests, want 1 (a timeout is not retried)", n)
			}
		})
	}
}

// TestBadAnswers: answers that are not a Vshop envelope each give a clear error, and a huge one is
// refused without being read into memory.
func TestBadAnswers(t *testing.T) {
	const huge = 50 << 20
	stream := func(announce bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if announce {
				w.Header().Set("Content-Length", fmt.Sprint(huge))
			}
			chunk := []byte(strings.Repeat("x", 64<<10))
			bw := bufio.NewWriter(w)
			bw.WriteString(`{"operateCode":"S","message":"`)
			for sent := 0; sent < huge; sent += len(chunk) {
				if _, err := bw.Write(chunk); err != nil {
					return // the client hung up
				}
			}
		}
	}
	tests := []struct {
		name    string
		step    http.HandlerFunc
		check   func(*testing.T, error)
		wantMsg string
	}{
		{"HTML error page with 200", answer(200, "text/html", "<html><body>Service Unavailable</body></html>"), func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %T, want *DecodeError", err)
			}
		}, `listAutoRenewals: cannot decode the HTTP 200 answer (Content-Type "text/html"): the Content-Type is not JSON; body starts "<html>`},
		{"HTML error page with 502", answer(502, "text/html", "<html><body>Bad Gateway</body></html>"), wantAPIError(502),
			`listAutoRenewals: HTTP 502: "<html><body>Bad Gateway</body></html>"`},
		{"truncated JSON", answer(200, "application/json", `{"operateCode":"S","data":[{"payId":`), func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %T, want *DecodeError", err)
			}
		}, `listAutoRenewals: cannot decode the HTTP 200 answer (Content-Type "application/json"): invalid or truncated JSON value at byte 26 (or one nested deeper than 1000 levels); body starts "{\"operateCode\":\"S\",\"data\":[{\"payId\":"`},
		{"50 MiB body, streamed", stream(false), func(t *testing.T, err error) {
			if !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("got %v, want ErrResponseTooLarge", err)
			}
		}, "listAutoRenewals: HTTP 200: the answer is larger than the client's limit: more than 4194304 bytes (see WithMaxResponseBytes)"},
		{"50 MiB body, announced", stream(true), func(t *testing.T, err error) {
			if !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("got %v, want ErrResponseTooLarge", err)
			}
		}, "more than 4194304 bytes"},
		{"failure envelope", answer(200, "application/json", `{"operateCode":"F","message":"card not found"}`), func(t *testing.T, err error) {
			var ae *APIError
			if !errors.As(err, &ae) || ae.OperateCode != "F" || ae.Message != "card not found" || ae.Operation != "listAutoRenewals" {
				t.Fatalf("got %T %v", err, err)
			}
		}, `listAutoRenewals: HTTP 200, operateCode "F": card not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := startScript(t, tt.step)
			c, err := NewClient(srv.URL, "P000270", withSleep(noSleep))
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err = listRenewals(context.Background(), c)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("error: %v", err)
			tt.check(t, err)
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %q\nwant it to contain %q", err, tt.wantMsg)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %.1f MiB during the call", float64(alloc)/(1<<20))
			if alloc > 16<<20 {
				t.Errorf("allocated %d bytes during the call: the body was read past the limit", alloc)
			}
		})
	}
}

// TestWithMaxResponseBytes: the limit is the option's.
func TestWithMaxResponseBytes(t *testing.T) {
	_, srv := startScript(t, documented(t))
	for _, tt := range []struct {
		limit int64
		ok    bool
	}{{100, false}, {1 << 20, true}} {
		c, err := NewClient(srv.URL, "P000270", WithMaxResponseBytes(tt.limit))
		if err != nil {
			t.Fatal(err)
		}
		err = listRenewals(context.Background(), c)
		if ok := err == nil; ok != tt.ok || (!ok && !errors.Is(err, ErrResponseTooLarge)) {
			t.Errorf("limit %d: got %v", tt.limit, err)
		}
	}
}

// TestConcurrentCallsWithRetries runs many calls at once, each of whose first attempt fails (for the
// race detector, and to show each call keeps its own attempts): every call takes exactly two.
func TestConcurrentCallsWithRetries(t *testing.T) {
	var mu sync.Mutex
	perDevice := map[string]int{}
	var total atomic.Int32
	ok := documented(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total.Add(1)
		raw, _ := io.ReadAll(r.Body)
		if err := signing.Verify(raw); err != nil {
			t.Errorf("sign: %v", err)
		}
		var f struct{ DeviceCode string }
		json.Unmarshal(raw, &f)
		mu.Lock()
		perDevice[f.DeviceCode]++
		odd := perDevice[f.DeviceCode]%2 == 1
		mu.Unlock()
		if odd { // the first attempt of each call
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		ok(w, r)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, "P000270", withSleep(noSleep))
	if err != nil {
		t.Fatal(err)
	}
	const workers, calls = 8, 25
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			req := renewalsRequest
			req.DeviceCode = fmt.Sprintf("810000000001200%04d", i) // one device per worker: its calls are sequential
			for range calls {
				if _, err := c.ListAutoRenewals(context.Background(), req); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := total.Load(); got != 2*workers*calls {
		t.Errorf("server saw %d requests, want %d", got, 2*workers*calls)
	}
}

// TestFailedCallsKeepConnections: a call that ends in an error does not empty the connection pool that
// other calls share (go-retryablehttp's Client.Do closes idle connections on every failed call; with it
// this sequence opens 10 connections instead of 1).
func TestFailedCallsKeepConnections(t *testing.T) {
	const failing = "8100000000012000999" // every attempt for this card gets a 503
	var conns atomic.Int32
	ok := documented(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if strings.Contains(string(raw), failing) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		ok(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewClient(srv.URL, "P000270", WithRetryMax(1), withSleep(noSleep))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		req := renewalsRequest
		if i%2 == 1 {
			req.DeviceCode = failing
		}
		_, err := c.ListAutoRenewals(context.Background(), req)
		if (err != nil) != (i%2 == 1) {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("20 calls, 10 of them failing after a retry, opened %d connections; want 1", got)
	}
}
