package vshoptest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/signing"
	"github.com/vshop-go/vshop/vshoptest"
)

// fixed is the clock of these tests: 2026-01-15 10:00:00 in UTC+8.
func fixed() time.Time { return time.Date(2026, time.January, 15, 2, 0, 0, 0, time.UTC) }

// signedVerify is a signed /singleVerify body for CardValid at the fixed clock's time, written by
// hand (not by the client).
func signedVerify(t testing.TB) []byte {
	t.Helper()
	m := map[string]string{"deviceCode": vshoptest.CardValid, "languageCode": "1", "mark": "0", "partnerCode": "P000270",
		"terminal": "0", "tradeTime": fmt.Sprint(fixed().UnixMilli()), "tradeType": "singleVerify", "version": "3.0"}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	sign, err := signing.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	m["sign"] = sign
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestConnectionTimeouts opens connections that stall (in the headers, in the body, or idle after a
// request on a keep-alive connection) and measures when the fake closes each: within its timeout,
// with slack for a loaded machine, and not long before it.
func TestConnectionTimeouts(t *testing.T) {
	const (
		headerTimeout = 300 * time.Millisecond
		readTimeout   = 600 * time.Millisecond
		idleTimeout   = 400 * time.Millisecond
		slack         = 1500 * time.Millisecond
		conns         = 30
	)
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithLimits(vshoptest.Limits{
		ReadHeaderTimeout: headerTimeout, ReadTimeout: readTimeout, IdleTimeout: idleTimeout}))
	addr := strings.TrimPrefix(srv.URL, "http://")
	body := signedVerify(t)
	tests := []struct {
		name    string
		timeout time.Duration
		// stall writes the stalled request on c, reading any answer through r, and returns the time
		// the stall began.
		stall func(t *testing.T, c net.Conn, r *bufio.Reader) time.Time
	}{
		{"stalled headers", headerTimeout, func(t *testing.T, c net.Conn, _ *bufio.Reader) time.Time {
			write(t, c, "POST /singleVerify HTTP/1.1\r\nHost: vshoptest\r\nContent-Type: application/json\r\n")
			return time.Now()
		}},
		{"stalled body", readTimeout, func(t *testing.T, c net.Conn, _ *bufio.Reader) time.Time {
			write(t, c, fmt.Sprintf("POST /singleVerify HTTP/1.1\r\nHost: vshoptest\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				len(body), body[:10]))
			return time.Now()
		}},
		{"idle keep-alive", idleTimeout, func(t *testing.T, c net.Conn, r *bufio.Reader) time.Time {
			write(t, c, fmt.Sprintf("POST /singleVerify HTTP/1.1\r\nHost: vshoptest\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				len(body), body))
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("the request before the idle time got HTTP %d", resp.StatusCode)
			}
			return time.Now()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wg sync.WaitGroup
			closedAfter := make([]time.Duration, conns)
			for i := range conns {
				wg.Go(func() {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						t.Error(err)
						return
					}
					defer c.Close()
					r := bufio.NewReader(c)
					began := tt.stall(t, c, r)
					// Read until the fake closes the connection (any answer it writes first is read too).
					_ = c.SetReadDeadline(time.Now().Add(tt.timeout + 10*time.Second))
					_, err = io.Copy(io.Discard, r)
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						t.Errorf("connection %d still open %v after the stall began", i, time.Since(began).Round(time.Millisecond))
						return
					}
					closedAfter[i] = time.Since(began)
				})
			}
			wg.Wait()
			var longest, shortest time.Duration = 0, time.Hour
			for _, d := range closedAfter {
				longest, shortest = max(longest, d), min(shortest, d)
			}
			t.Logf("%d connections closed %v to %v after the stall began (timeout %v)", conns,
				shortest.Round(time.Millisecond), longest.Round(time.Millisecond), tt.timeout)
			if longest > tt.timeout+slack {
				t.Errorf("a connection was closed %v after the stall began, want within %v (+%v slack)", longest, tt.timeout, slack)
			}
			if shortest < tt.timeout*8/10 {
				t.Errorf("a connection was closed %v after the stall began, before the timeout %v", shortest, tt.timeout)
			}
		})
	}
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

// verifyAs checks that err is an *vshop.APIError with the status and a message containing want.
func verifyAs(t *testing.T, err error, status int, want string) {
	t.Helper()
	var apiErr *vshop.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v, want a *vshop.APIError with HTTP %d", err, status)
	}
	if apiErr.StatusCode != status || apiErr.OperateCode != vshoptest.FailureCode || !strings.Contains(apiErr.Message, want) {
		t.Fatalf("HTTP %d, operateCode %q, message %q; want HTTP %d, F and a message containing %q",
			apiErr.StatusCode, apiErr.OperateCode, apiErr.Message, status, want)
	}
}

// order is a createOrder request for device with orderNo.
func order(device, orderNo string) vshop.CreateOrderRequest {
	return vshop.CreateOrderRequest{DeviceCode: device, LanguageCode: vshop.LanguageEnglish,
		Mark: vshop.MarkLinksfieldCard, Terminal: vshop.TerminalMobile, OrderNo: orderNo,
		PackageCode: "PACKAGE20180428000007", ServicePlanCode: "SP-EU-1GB-30D", OrderPeriod: "1",
		PayAmount: "4.99", PayCurrency: "USD", AutoRenewal: vshop.AutoRenewalOn}
}

// TestStateLimits fills the fake to its limits: the order beyond each is refused with a 4xx that
// names the limit, an identical repeat of an order already held is still answered, and a field
// over the length limit is refused before anything is stored.
func TestStateLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("orders in all", func(t *testing.T) {
		srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithLimits(vshoptest.Limits{MaxOrders: 8}))
		c := srv.Client()
		// The seed holds 5 orders (3 of CardWithOrders, 2 of CardWithAutoRenewals): 3 more fit.
		for i := range 3 {
			if _, err := c.CreateOrder(ctx, order(vshoptest.CardValid, fmt.Sprintf("NO-%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		_, err := c.CreateOrder(ctx, order(vshoptest.CardValid2, "NO-3"))
		verifyAs(t, err, http.StatusUnprocessableEntity, "the fake holds 8 orders, its limit (vshoptest.Limits.MaxOrders)")
		if _, err := c.CreateOrder(ctx, order(vshoptest.CardValid, "NO-0")); err != nil {
			t.Errorf("an identical repeat at the limit: %v", err)
		}
		if orders, _ := srv.Orders(vshoptest.CardValid2); len(orders) != 0 {
			t.Errorf("the refused order was stored: %+v", orders)
		}
	})
	t.Run("orders per card", func(t *testing.T) {
		srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithLimits(vshoptest.Limits{MaxOrdersPerCard: 2}))
		c := srv.Client()
		for i := range 2 {
			if _, err := c.CreateOrder(ctx, order(vshoptest.CardValid, fmt.Sprintf("NO-%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		_, err := c.CreateOrder(ctx, order(vshoptest.CardValid, "NO-2"))
		verifyAs(t, err, http.StatusUnprocessableEntity, "has 2 orders, the fake's limit per card (vshoptest.Limits.MaxOrdersPerCard)")
		if _, err := c.CreateOrder(ctx, order(vshoptest.CardValid2, "NO-2")); err != nil {
			t.Errorf("another card is not at its limit: %v", err)
		}
	})
	t.Run("field length", func(t *testing.T) {
		srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed))
		c := srv.Client()
		long := "NO" + strings.Repeat("9", 4094)
		_, err := c.CreateOrder(ctx, order(vshoptest.CardValid, long))
		verifyAs(t, err, http.StatusBadRequest, "orderNo: 4096 bytes, over the fake's limit of 128 bytes per field (vshoptest.Limits.MaxFieldBytes)")
		at := "NO" + strings.Repeat("9", 126)
		if _, err := c.CreateOrder(ctx, order(vshoptest.CardValid, at)); err != nil {
			t.Errorf("an orderNo of exactly 128 bytes: %v", err)
		}
		if orders, _ := srv.Orders(vshoptest.CardValid); len(orders) != 1 || orders[0].OrderNo != at {
			t.Errorf("orders %+v, want only the one at the limit", orders)
		}
	})
	t.Run("body size", func(t *testing.T) {
		srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithLimits(vshoptest.Limits{MaxBodyBytes: 1000}))
		c := srv.Client(vshop.WithRetryMax(0))
		req := order(vshoptest.CardValid, "NO-1")
		req.ServicePlanShowName = strings.Repeat("x", 1000)
		_, err := c.CreateOrder(ctx, req)
		verifyAs(t, err, http.StatusRequestEntityTooLarge, "larger than 1000 bytes, the fake's limit (vshoptest.Limits.MaxBodyBytes)")
	})
}

// TestAnswersUnderClientLimit fills one card to the default limit of orders per card, every field
// at the default length limit and every order with an auto-renewal, and lists its orders and
// auto-renewals with a client whose size limit is vshop.DefaultMaxResponseBytes: both answers fit.
func TestAnswersUnderClientLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 2000 orders")
	}
	limits := vshoptest.DefaultLimits()
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed))
	ctx := context.Background()
	partner := strings.Repeat("P", limits.MaxFieldBytes)
	cp, err := vshop.NewClient(srv.URL, partner, vshop.WithClock(fixed))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range limits.MaxOrdersPerCard {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			req := order(vshoptest.CardValid, fmt.Sprintf("%0*d", limits.MaxFieldBytes, i))
			req.PayId = fmt.Sprintf("%0*d", limits.MaxFieldBytes, i)
			req.OrderPeriod = "999"
			if _, err := cp.CreateOrder(ctx, req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A client that refuses answers over half the default limit: both lists must still come through.
	half := srv.Client(vshop.WithMaxResponseBytes(vshop.DefaultMaxResponseBytes / 2))
	list, err := half.ListOrders(ctx, vshop.ListOrdersRequest{DeviceCode: vshoptest.CardValid})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := half.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{DeviceCode: vshoptest.CardValid})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.OrderList); n != limits.MaxOrdersPerCard {
		t.Fatalf("%d orders listed, want %d", n, limits.MaxOrdersPerCard)
	}
	if len(recs) == 0 {
		t.Fatal("no auto-renewal listed")
	}
	t.Logf("at %d orders with %d-byte fields both lists fit in half the client's limit of %d bytes",
		limits.MaxOrdersPerCard, limits.MaxFieldBytes, vshop.DefaultMaxResponseBytes)
}
