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

func TestDefaultRetrySafe(t *testing.T) {
	tests := []struct {
		op, body string
		want     bool
	}{
		{OpVerifyCard, `{}`, true},
		{OpListPlans, `{}`, true},
		{OpListOrders, `{}`, true},
		{OpListAutoRenewals, `{}`, true},
		{OpCreateOrder, `{"orderNo":"2020061214140465562"}`, true},
		{OpCreateOrder, `{"payId":"P1"}`, false},
		{OpCreateOrder, `{"orderNo":""}`, false},
		{OpCreateOrder, `{"orderNo":"  "}`, false},
		{OpCreateOrder, `{"orderNo":null}`, false},
		{OpCreateOrder, `{"orderNo":12}`, false},
		{OpCreateOrder, `not json`, false},
		{OpSyncThirdPartyOrder, `{"orderNo":"NO1","payId":"P1"}`, true},
		{OpSyncThirdPartyOrder, `{"orderNo":"NO1","payId":""}`, false},
		{OpSyncThirdPartyOrder, `{"payId":"P1"}`, false},
		{OpCancelAutoRenewal, `{"orderNo":"NO1","payId":"P1"}`, false},
		{OpCancelAutoRenewal, `{"orderNo":"NO1"}`, false},
		{"somethingNew", `{"orderNo":"NO1","payId":"P1"}`, false},
	}
	for _, tt := range tests {
		if got := DefaultRetrySafe(tt.op, []byte(tt.body)); got != tt.want {
			t.Errorf("DefaultRetrySafe(%s, %s) = %v, want %v", tt.op, tt.body, got, tt.want)
		}
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

func TestWithoutTradeTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"1","tradeTime":"1645683857572","sign":"x"}`, `{"a":"1","tradeTime":"","sign":"x"}`},
		{`{ "tradeTime" : "1645683857572" , "b" : {"tradeTime":"9"} }`, `{ "tradeTime" : "" , "b" : {"tradeTime":"9"} }`},
		{`{"b":{"tradeTime":"9"},"tradeTime":"1"}`, `{"b":{"tradeTime":"9"},"tradeTime":""}`},
		{`{"x":"\"tradeTime\":\"5\"","tradeTime":"5"}`, `{"x":"\"tradeTime\":\"5\"","tradeTime":""}`},
		{`{"tradeTime":""}`, `{"tradeTime":""}`},
		{`{"tradeTime":null}`, `{"tradeTime":null}`},
		{`{"a":"1"}`, `{"a":"1"}`},
		{`[1]`, `[1]`},
		{`{"a":`, `{"a":`},
	}
	for _, tt := range tests {
		if got := string(withoutTradeTime([]byte(tt.in))); got != tt.want {
			t.Errorf("withoutTradeTime(%s) = %s, want %s", tt.in, got, tt.want)
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(ProductionURL, "P000270", tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewClient(ProductionURL, "P000270", WithLogger(nil), WithTimeout(0), WithRetryMax(0), WithRetryWait(0, 0)); err != nil {
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
