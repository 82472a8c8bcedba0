package vshop

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/signing"
)

// TestOperationConstants: the Op constants, which DefaultRetrySafe relies on, are the spec's
// operationIds, all seven.
func TestOperationConstants(t *testing.T) {
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	inSpec := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			inSpec[op.OperationID] = true
		}
	}
	consts := []string{OpVerifyCard, OpListPlans, OpCreateOrder, OpListOrders, OpListAutoRenewals, OpCancelAutoRenewal, OpSyncThirdPartyOrder}
	for _, id := range consts {
		if !inSpec[id] {
			t.Errorf("%s is not an operationId of the spec", id)
		}
	}
	if len(inSpec) != len(consts) {
		t.Errorf("the spec has %d operations, there are %d constants", len(inSpec), len(consts))
	}
}

// fieldsOf is a request's fields as a RetrySafe sees them, from name/value pairs.
func fieldsOf(kv ...string) Fields {
	var f Fields
	for i := 0; i+1 < len(kv); i += 2 {
		f.list = append(f.list, signing.Field{Name: kv[i], Value: kv[i+1]})
	}
	return f
}

// TestDefaultRetrySafe: DefaultRetrySafe follows the operation's Retry class: the spec's operations
// as Operations returns them, and operations made up to show it reads the class, not the name.
func TestDefaultRetrySafe(t *testing.T) {
	byID := map[string]Operation{}
	for _, op := range Operations() {
		byID[op.ID] = op
	}
	always := Operation{ID: "somethingNew", Retry: RetryClass{Always: true}}
	ifSet := Operation{ID: "somethingNew", Retry: RetryClass{IfSet: []string{"ticket"}}}
	never := Operation{ID: OpListAutoRenewals} // a read-only name, but no Retry class
	tests := []struct {
		name   string
		op     Operation
		fields Fields
		want   bool
	}{
		{"verifyCard", byID[OpVerifyCard], fieldsOf(), true},
		{"listPlans", byID[OpListPlans], fieldsOf(), true},
		{"listOrders", byID[OpListOrders], fieldsOf(), true},
		{"listAutoRenewals", byID[OpListAutoRenewals], fieldsOf(), true},
		{"createOrder with orderNo", byID[OpCreateOrder], fieldsOf("orderNo", "2020061214140465562"), true},
		{"createOrder with payId only", byID[OpCreateOrder], fieldsOf("payId", "P1"), false},
		{"createOrder with empty orderNo", byID[OpCreateOrder], fieldsOf("orderNo", ""), false},
		{"createOrder with blank orderNo", byID[OpCreateOrder], fieldsOf("orderNo", " \t "), false},
		{"syncThirdPartyOrder with orderNo and payId", byID[OpSyncThirdPartyOrder], fieldsOf("orderNo", "NO1", "payId", "P1"), true},
		{"syncThirdPartyOrder with empty payId", byID[OpSyncThirdPartyOrder], fieldsOf("orderNo", "NO1", "payId", ""), false},
		{"syncThirdPartyOrder with payId only", byID[OpSyncThirdPartyOrder], fieldsOf("payId", "P1"), false},
		{"cancelAutoRenewal with orderNo and payId", byID[OpCancelAutoRenewal], fieldsOf("orderNo", "NO1", "payId", "P1"), false},
		{"cancelAutoRenewal with orderNo", byID[OpCancelAutoRenewal], fieldsOf("orderNo", "NO1"), false},
		{"an unknown operation, no Retry class", Operation{ID: "somethingNew"}, fieldsOf("orderNo", "NO1", "payId", "P1"), false},
		{"made-up Retry.Always", always, fieldsOf(), true},
		{"made-up Retry.IfSet, set", ifSet, fieldsOf("ticket", "T1"), true},
		{"made-up Retry.IfSet, orderNo set instead", ifSet, fieldsOf("orderNo", "NO1"), false},
		{"a read-only name without a Retry class", never, fieldsOf(), false},
	}
	for _, tt := range tests {
		if got := DefaultRetrySafe(tt.op, tt.fields); got != tt.want {
			t.Errorf("%s: DefaultRetrySafe(%+v, %v) = %v, want %v", tt.name, tt.op.Retry, tt.fields.list, got, tt.want)
		}
	}
	if len(byID) != 7 {
		t.Errorf("Operations() has %d operations, want 7", len(byID))
	}
}

func TestDefaultCheckRetry(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	status := func(code int) *http.Response { return &http.Response{StatusCode: code, Header: http.Header{}} }
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "https://x", Err: err} }
	tests := []struct {
		name string
		ctx  context.Context
		resp *http.Response
		err  error
		want bool
	}{
		{"200", context.Background(), status(200), nil, false},
		{"400", context.Background(), status(400), nil, false},
		{"429", context.Background(), status(429), nil, true},
		{"500", context.Background(), status(500), nil, true},
		{"501", context.Background(), status(501), nil, false},
		{"502", context.Background(), status(502), nil, true},
		{"503", context.Background(), status(503), nil, true},
		{"connection refused", context.Background(), nil, urlErr(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), true},
		{"EOF", context.Background(), nil, urlErr(io.EOF), true},
		{"body cut short", context.Background(), nil, io.ErrUnexpectedEOF, true},
		{"unknown certificate authority", context.Background(), nil, urlErr(x509.UnknownAuthorityError{}), false},
		{"deadline", context.Background(), nil, urlErr(context.DeadlineExceeded), false},
		{"context done", canceled, status(503), nil, false},
	}
	for _, tt := range tests {
		got, err := DefaultCheckRetry(tt.ctx, tt.resp, tt.err)
		if got != tt.want || err != nil {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	min, max := 100*time.Millisecond, time.Second
	for attempt, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		want *= time.Millisecond
		for range 50 {
			got := DefaultBackoff(min, max, attempt, nil)
			if got < want/2 || got > want {
				t.Fatalf("attempt %d: %v, want between %v and %v", attempt, got, want/2, want)
			}
		}
	}
	if got := DefaultBackoff(min, max, 200, nil); got < max/2 || got > max {
		t.Errorf("attempt 200: %v (overflow?)", got)
	}
	if got := DefaultBackoff(min, max, -1, nil); got < min/2 || got > min {
		t.Errorf("attempt -1: %v, want the first attempt's wait", got)
	}
	if got := DefaultBackoff(0, 0, 3, nil); got != 0 {
		t.Errorf("zero wait: %v", got)
	}
	withHeader := func(v string) *http.Response {
		return &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {v}}}
	}
	if got := DefaultBackoff(min, max, 0, withHeader("7")); got != 7*time.Second {
		t.Errorf("Retry-After: 7 gave %v, want 7s (above max: honoured)", got)
	}
	if got := DefaultBackoff(min, max, 0, withHeader("soon")); got < min/2 || got > min {
		t.Errorf("a malformed Retry-After gave %v, want the computed backoff", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"99999999999999999999", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Friday, 02-Jan-26 03:05:05 GMT", time.Minute, true}, // RFC 850
		{"Fri Jan  2 03:04:35 2026", 30 * time.Second, true},  // ANSI C
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := ParseRetryAfter(h, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"negative timeout", []Option{WithTimeout(-time.Second)}, "WithTimeout"},
		{"zero connect timeout", []Option{WithConnectTimeout(0)}, "WithConnectTimeout"},
		{"connect timeout with own client", []Option{WithHTTPClient(&http.Client{}), WithConnectTimeout(time.Second)}, "set the timeout on your client's dialer"},
		{"zero response limit", []Option{WithMaxResponseBytes(0)}, "WithMaxResponseBytes"},
		{"negative retries", []Option{WithRetryMax(-1)}, "WithRetryMax"},
		{"max wait below min", []Option{WithRetryWait(time.Second, time.Millisecond)}, "WithRetryWait"},
		{"nil RetrySafe", []Option{WithRetrySafe(nil)}, "WithRetrySafe"},
		{"nil CheckRetry", []Option{WithCheckRetry(nil)}, "WithCheckRetry"},
		{"nil Backoff", []Option{WithBackoff(nil)}, "WithBackoff"},
		{"nil masking", []Option{WithDeviceMasking(nil)}, "WithDeviceMasking"},
		{"unknown language", []Option{WithLanguage("99")}, `WithLanguage: "99" is not a language code of the spec`},
		{"empty language", []Option{WithLanguage("")}, "WithLanguage"},
		{"unknown mark", []Option{WithMark("2")}, `WithMark: "2" is not a mark of the spec`},
		{"unknown terminal", []Option{WithTerminal("pc")}, `WithTerminal: "pc" is not a terminal of the spec`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(ProductionURL, "P000270", tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewClient(ProductionURL, "P000270", WithLogger(nil), WithTimeout(0), WithRetryMax(0), WithRetryWait(0, 0),
		WithLanguage(LanguageTraditionalChineseHongKong), WithMark(MarkOtherCard), WithTerminal(TerminalPC)); err != nil {
		t.Errorf("valid options refused: %v", err)
	}
}

// TestCustomBackoff: a Backoff given with WithBackoff is used, with the min and max of WithRetryWait.
func TestCustomBackoff(t *testing.T) {
	_, srv := startScript(t, answer(500, "text/plain", "boom"), answer(500, "text/plain", "boom"), documented(t))
	var calls []string
	rec := &sleepRecorder{}
	c, err := NewClient(srv.URL, "P000270", withSleep(rec.sleep), WithRetryWait(time.Millisecond, 9*time.Millisecond),
		WithBackoff(func(min, max time.Duration, n int, resp *http.Response) time.Duration {
			calls = append(calls, resp.Status)
			return min*time.Duration(n) + max
		}))
	if err != nil {
		t.Fatal(err)
	}
	if err := listRenewals(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := rec.got(); len(got) != 2 || got[0] != 9*time.Millisecond || got[1] != 10*time.Millisecond {
		t.Errorf("waits %v, want [9ms 10ms]", got)
	}
	if len(calls) != 2 || calls[0] != "500 Internal Server Error" {
		t.Errorf("Backoff saw %v", calls)
	}
}
