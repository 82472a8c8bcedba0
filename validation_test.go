package vshop

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vshop-go/vshop/internal/specvalidate"
)

// countingServer counts the connections opened to it and the requests it receives, and answers with
// the documented reply.
func countingServer(t *testing.T) (conns, requests *atomic.Int32, srv *httptest.Server) {
	conns, requests = new(atomic.Int32), new(atomic.Int32)
	ok := documented(t)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		ok(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return conns, requests, srv
}

// TestValidationBeforeSend: invalid requests fail before any byte is sent, with an error that names
// the field and the rule.
func TestValidationBeforeSend(t *testing.T) {
	renewals := func(edit func(*ListAutoRenewalsRequest)) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			req := renewalsRequest
			edit(&req)
			_, err := c.ListAutoRenewals(ctx, req)
			return err
		}
	}
	tests := []struct {
		name      string
		call      func(context.Context, *Client) error
		wantOp    string
		wantField string
		wantMsg   string
	}{
		{"empty deviceCode", renewals(func(r *ListAutoRenewalsRequest) { r.DeviceCode = "" }),
			"listAutoRenewals", "deviceCode", "vshop listAutoRenewals: invalid request, not sent: deviceCode: is required"},
		{`languageCode "99"`, renewals(func(r *ListAutoRenewalsRequest) { r.LanguageCode = "99" }),
			"listAutoRenewals", "languageCode", `vshop listAutoRenewals: invalid request, not sent: languageCode: must be one of "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"`},
		{"letters in deviceCode", renewals(func(r *ListAutoRenewalsRequest) { r.DeviceCode = "8985ABC0910340793" }),
			"listAutoRenewals", "deviceCode", "vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$"},
		{"letters in deviceCode, verifyCard", func(ctx context.Context, c *Client) error {
			_, err := c.VerifyCard(ctx, VerifyCardRequest{DeviceCode: "89852420180910340793x", LanguageCode: LanguageEnglish,
				Mark: MarkLinksfieldCard, Terminal: TerminalPC, Url: "https://dist.linksfield.net/login"})
			return err
		}, "verifyCard", "deviceCode", "deviceCode: must match ^[0-9]+$"},
		{"createOrder without payAmount", func(ctx context.Context, c *Client) error {
			_, err := c.CreateOrder(ctx, CreateOrderRequest{DeviceCode: "89860220190905123941", LanguageCode: LanguageChinese,
				Mark: MarkLinksfieldCard, OrderNo: "NO1", OrderPeriod: "1", PackageCode: "P", PayCurrency: "USD", ServicePlanCode: "SP1", Terminal: TerminalMobile})
			return err
		}, "createOrder", "payAmount", "vshop createOrder: invalid request, not sent: payAmount: is required"},
		{"createOrder with orderPeriod 0", func(ctx context.Context, c *Client) error {
			_, err := c.CreateOrder(ctx, CreateOrderRequest{DeviceCode: "89860220190905123941", OrderNo: "NO1", OrderPeriod: "0",
				PackageCode: "P", PayAmount: "4.99", PayCurrency: "USD", ServicePlanCode: "SP1"})
			return err
		}, "createOrder", "orderPeriod", "orderPeriod: must match ^[1-9][0-9]*$"},
		{"cancelAutoRenewal without payId", func(ctx context.Context, c *Client) error {
			_, err := c.CancelAutoRenewal(ctx, CancelAutoRenewalRequest{DeviceCode: "89860220190905123941", OrderNo: "NO2025032713303915052"})
			return err
		}, "cancelAutoRenewal", "payId", "vshop cancelAutoRenewal: invalid request, not sent: payId: is required"},
		{"syncThirdPartyOrder with a payResultDate in another format", func(ctx context.Context, c *Client) error {
			_, err := c.SyncThirdPartyOrder(ctx, SyncThirdPartyOrderRequest{DeviceCode: "89852420180910340793", OrderNo: "NO1", OrderPeriod: "1",
				PackageCode: "DP1", PayAmount: "12.36", PayCurrency: "GBP", PayId: "P1", PayResultDate: "2022-06-07T15:10:35Z", PayRst: "SUCCESS"})
			return err
		}, "syncThirdPartyOrder", "payResultDate", "payResultDate: must match ^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"},
		{"invalid UTF-8 in a field without a pattern", func(ctx context.Context, c *Client) error {
			_, err := c.VerifyCard(ctx, VerifyCardRequest{DeviceCode: "89852420180910340793", Url: "https://dist.linksfield.net/\xff"})
			return err
		}, "verifyCard", "url", "vshop verifyCard: invalid request, not sent: url: must be valid UTF-8"},
		{"a mark the spec does not know, set per request", renewals(func(r *ListAutoRenewalsRequest) { r.Mark = "2" }),
			"listAutoRenewals", "mark", `mark: must be one of "0", "1"`},
		{"a terminal the spec does not know, set per request", renewals(func(r *ListAutoRenewalsRequest) { r.Terminal = "2" }),
			"listAutoRenewals", "terminal", `terminal: must be one of "0", "1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conns, requests, srv := countingServer(t)
			c, err := NewClient(srv.URL, "P000270")
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(context.Background(), c)
			t.Logf("error: %v", err)
			if nc, nr := conns.Load(), requests.Load(); nc != 0 || nr != 0 {
				t.Errorf("server saw %d connections and %d requests, want none", nc, nr)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %T %v, want *ValidationError", err, err)
			}
			if ve.Operation != tt.wantOp || ve.Field != tt.wantField || ve.Rule == "" {
				t.Errorf("got %+v, want operation %s, field %s", ve, tt.wantOp, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %q\nwant it to contain %q", err, tt.wantMsg)
			}
			var fe *specvalidate.FieldError
			if !errors.As(err, &fe) || fe.Field != ve.Field {
				t.Errorf("the *specvalidate.FieldError is not wrapped: %v", fe)
			}
		})
	}
}

// TestWithValidationOff: with validation off a request that breaks the spec is sent (and the server
// decides); one that cannot be signed (invalid UTF-8) is still refused before anything is sent.
func TestWithValidationOff(t *testing.T) {
	tests := []struct {
		name         string
		deviceCode   string
		wantRequests int32
		wantErr      string
	}{
		{"letters in deviceCode", "8985ABC", 1, ""},
		{"invalid UTF-8", "8985\xff", 0, `vshop listAutoRenewals: invalid request, not sent: signing: deviceCode: the value is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, n, srv := countingServer(t)
			c, err := NewClient(srv.URL, "P000270", WithValidation(false))
			if err != nil {
				t.Fatal(err)
			}
			req := renewalsRequest
			req.DeviceCode = tt.deviceCode
			_, err = c.ListAutoRenewals(context.Background(), req)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %T %v, want a *ValidationError containing %q", err, err, tt.wantErr)
				}
			}
			if got := n.Load(); got != tt.wantRequests {
				t.Errorf("server received %d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}
