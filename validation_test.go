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

	"github.com/vshop-go/vshop/generated"
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
	renewals := func(edit func(*generated.ListAutoRenewalsRequest)) func(context.Context, *generated.ClientWithResponses) error {
		return func(ctx context.Context, c *generated.ClientWithResponses) error {
			req := renewalsRequest
			edit(&req)
			_, err := c.ListAutoRenewalsWithResponse(ctx, req)
			return err
		}
	}
	tests := []struct {
		name      string
		call      func(context.Context, *generated.ClientWithResponses) error
		wantOp    string
		wantField string
		wantMsg   string
	}{
		{"empty deviceCode", renewals(func(r *generated.ListAutoRenewalsRequest) { r.DeviceCode = "" }),
			"listAutoRenewals", "deviceCode", "vshop listAutoRenewals: invalid request, not sent: deviceCode: must not be empty"},
		{`languageCode "99"`, renewals(func(r *generated.ListAutoRenewalsRequest) { r.LanguageCode = "99" }),
			"listAutoRenewals", "languageCode", `vshop listAutoRenewals: invalid request, not sent: languageCode: must be one of "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"`},
		{"letters in deviceCode", renewals(func(r *generated.ListAutoRenewalsRequest) { r.DeviceCode = "8985ABC0910340793" }),
			"listAutoRenewals", "deviceCode", "vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$"},
		{"letters in deviceCode, verifyCard", func(ctx context.Context, c *generated.ClientWithResponses) error {
			_, err := c.VerifyCardWithResponse(ctx, generated.VerifyCardRequest{DeviceCode: "89852420180910340793x", LanguageCode: generated.LanguageEnglish,
				Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalPC, Url: "https://dist.linksfield.net/login"})
			return err
		}, "verifyCard", "deviceCode", "deviceCode: must match ^[0-9]+$"},
		{"createOrder without payAmount", func(ctx context.Context, c *generated.ClientWithResponses) error {
			_, err := c.CreateOrderWithResponse(ctx, generated.CreateOrderRequest{DeviceCode: "89860220190905123941", LanguageCode: generated.LanguageChinese,
				Mark: generated.MarkLinksfieldCard, OrderNo: "NO1", OrderPeriod: "1", PackageCode: "P", PayCurrency: "USD", ServicePlanCode: "SP1", Terminal: generated.TerminalMobile})
			return err
		}, "createOrder", "payAmount", "createOrder: invalid request, not sent: payAmount: "},
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

// TestWithValidationOff: with validation off an invalid request is sent (and the server decides).
func TestWithValidationOff(t *testing.T) {
	_, n, srv := countingServer(t)
	c, err := NewClient(srv.URL, "P000270", WithValidation(false))
	if err != nil {
		t.Fatal(err)
	}
	req := renewalsRequest
	req.DeviceCode = "8985ABC"
	if _, err := c.ListAutoRenewalsWithResponse(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server received %d requests, want 1", got)
	}
}
