package vshoptest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// TestFaults sets each kind of fault on verifyCard and checks what a raw HTTP client receives.
func TestFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      vshoptest.Fault
		status     int // 0: the connection is dropped
		code       string
		message    string
		retryAfter string
		minTime    time.Duration
	}{
		{"failure code", vshoptest.Fault{OperateCode: "E1001", Message: "card locked"}, 200, "E1001", "card locked", "", 0},
		{"status only", vshoptest.Fault{Status: 503}, 503, "F", "vshoptest: fault injected on verifyCard (HTTP 503)", "", 0},
		{"status with Retry-After", vshoptest.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, 429, "F", "fault injected", "2", 0},
		{"code and status", vshoptest.Fault{OperateCode: "F", Message: "down", Status: 502}, 502, "F", "down", "", 0},
		{"delay alone answers as usual, late", vshoptest.Fault{Delay: 300 * time.Millisecond}, 200, "S", "success", "", 300 * time.Millisecond},
		{"delay then a failure", vshoptest.Fault{Delay: 200 * time.Millisecond, Status: 500}, 500, "F", "fault injected", "", 200 * time.Millisecond},
		{"dropped connection", vshoptest.Fault{Drop: true}, 0, "", "", "", 0},
		{"delay then a dropped connection", vshoptest.Fault{Delay: 200 * time.Millisecond, Drop: true}, 0, "", "", "", 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed))
			if err := srv.FailNext("verifyCard", 1, tt.fault); err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			resp, err := http.Post(srv.URL+"/singleVerify", "application/json", bytes.NewReader(signedVerify(t)))
			took := time.Since(began)
			if tt.status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got HTTP %d, want a dropped connection", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status || !strings.Contains(string(raw), `"operateCode":"`+tt.code+`"`) ||
					!strings.Contains(string(raw), tt.message) || resp.Header.Get("Retry-After") != tt.retryAfter {
					t.Errorf("HTTP %d, Retry-After %q: %s; want HTTP %d, Retry-After %q, operateCode %s, message %q",
						resp.StatusCode, resp.Header.Get("Retry-After"), raw, tt.status, tt.retryAfter, tt.code, tt.message)
				}
			}
			if took < tt.minTime {
				t.Errorf("answered after %v, want at least %v", took, tt.minTime)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 || !reqs[0].Fault || reqs[0].Status != tt.status || reqs[0].Operation != "verifyCard" || !reqs[0].SignVerified {
				t.Errorf("recorded %+v, want one verifyCard with Fault, Status %d, SignVerified", reqs, tt.status)
			}
			// The fault was for one call: the next is answered as usual.
			resp, err = http.Post(srv.URL+"/singleVerify", "application/json", bytes.NewReader(signedVerify(t)))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("the call after the fault: HTTP %d", resp.StatusCode)
			}
		})
	}
}

// TestFaultCounts checks FailNext's count, the order of queued faults, FailAlways until
// ClearFaults, and that a fault on one operation leaves the others alone, through the client.
func TestFaultCounts(t *testing.T) {
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed))
	c := srv.Client(vshop.WithRetryMax(0))
	ctx := context.Background()
	verify := func() error {
		_, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{
			DeviceCode: vshoptest.CardValid, LanguageCode: "1", Mark: "0", Terminal: "0"})
		return err
	}
	plans := func() error {
		_, err := c.ListPlans(ctx, vshop.ListPlansRequest{
			DeviceCode: vshoptest.CardValid, LanguageCode: "1", Mark: "0", Terminal: "0"})
		return err
	}
	codeOf := func(err error) string {
		var apiErr *vshop.APIError
		if errors.As(err, &apiErr) {
			return apiErr.OperateCode
		}
		if err != nil {
			return err.Error()
		}
		return "S"
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(srv.FailNext("verifyCard", 2, vshoptest.Fault{OperateCode: "A"}))
	must(srv.FailNext("verifyCard", 1, vshoptest.Fault{OperateCode: "B"}))
	must(srv.FailAlways("verifyCard", vshoptest.Fault{OperateCode: "Z"}))
	var got []string
	for range 5 {
		got = append(got, codeOf(verify()))
	}
	got = append(got, codeOf(plans()))
	srv.ClearFaults()
	got = append(got, codeOf(verify()))
	if want := "A A B Z Z S S"; strings.Join(got, " ") != want {
		t.Errorf("operateCodes %q, want %q", strings.Join(got, " "), want)
	}
}

// TestFaultErrors checks that bad faults and unknown operations are refused with an error naming
// the problem (the server here comes from Start, so no test fails on its own).
func TestFaultErrors(t *testing.T) {
	srv, err := vshoptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"unknown operation", srv.FailNext("listPlan", 1, vshoptest.Fault{Status: 503}), `no operation "listPlan": want one of [cancelAutoRenewal createOrder`},
		{"path instead of operation", srv.FailAlways("/singleVerify", vshoptest.Fault{Status: 503}), `no operation "/singleVerify"`},
		{"n below 1", srv.FailNext("listPlans", 0, vshoptest.Fault{Status: 503}), "n must be at least 1"},
		{"success code", srv.FailNext("listPlans", 1, vshoptest.Fault{OperateCode: "S"}), `"S" is the success code`},
		{"bad status", srv.FailNext("listPlans", 1, vshoptest.Fault{Status: 1000}), "1000 is not an HTTP status"},
		{"negative delay", srv.FailNext("listPlans", 1, vshoptest.Fault{Delay: -time.Second, Status: 503}), "must not be negative"},
		{"empty fault", srv.FailNext("listPlans", 1, vshoptest.Fault{}), "the fault does nothing"},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, tt.err, tt.want)
		}
	}
}

// TestLatencyAndFailureRate checks the options `vshop sandbox` exposes as --latency and
// --failure-rate.
func TestLatencyAndFailureRate(t *testing.T) {
	t.Run("latency", func(t *testing.T) {
		srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithLatency(250*time.Millisecond))
		began := time.Now()
		if status, _, msg := post(t, srv.URL+"/singleVerify", signedVerify(t)); status != 200 {
			t.Fatalf("HTTP %d %s", status, msg)
		}
		if took := time.Since(began); took < 250*time.Millisecond {
			t.Errorf("answered after %v, want at least 250ms", took)
		}
	})
	for _, tt := range []struct {
		rate     float64
		min, max int // of 400 requests failed
	}{{0, 0, 0}, {1, 400, 400}, {0.5, 120, 280}} {
		srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithFailureRate(tt.rate))
		failed := 0
		for range 400 {
			resp, err := http.Post(srv.URL+"/singleVerify", "application/json", bytes.NewReader(signedVerify(t)))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "1":
				failed++
			case resp.StatusCode != 200:
				t.Fatalf("rate %v: HTTP %d", tt.rate, resp.StatusCode)
			}
		}
		if failed < tt.min || failed > tt.max {
			t.Errorf("rate %v: %d of 400 failed, want %d to %d", tt.rate, failed, tt.min, tt.max)
		}
	}
	for _, opt := range []vshoptest.Option{vshoptest.WithFailureRate(1.5), vshoptest.WithLatency(-time.Second), vshoptest.WithClock(nil),
		vshoptest.WithCards("12ab"), vshoptest.WithCards(vshoptest.CardValid), vshoptest.WithLimits(vshoptest.Limits{MaxOrders: -1})} {
		if srv, err := vshoptest.Start("127.0.0.1:0", opt); err == nil {
			srv.Close()
			t.Errorf("an invalid option was accepted")
		}
	}
}
