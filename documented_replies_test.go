package vshop_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/internal/rawverify"
)

// documentedReplies is openapi/testdata/documented-replies.json: every success reply Linksfield
// documents, verbatim, with the outcome the spec says a client gives it.
type documentedReplies struct {
	Replies []struct {
		Name        string          `json:"name"`
		OperationID string          `json:"operationId"`
		Body        string          `json:"body"`
		Outcome     string          `json:"outcome"` // "success" or "decode-error"
		Data        json.RawMessage `json:"data"`    // the data a success decodes to; null for none
	} `json:"replies"`
}

// callers make one valid call of each operation that has a documented reply and return its data.
var callers = map[string]func(ctx context.Context, c *vshop.Client) (any, error){
	vshop.OpCreateOrder: func(ctx context.Context, c *vshop.Client) (any, error) {
		return c.CreateOrder(ctx, vshop.CreateOrderRequest{DeviceCode: "89860012018111220455", PackageCode: "PACKAGE20180428000007",
			ServicePlanCode: "SP1", OrderPeriod: "1", PayAmount: "4.99", PayCurrency: "USD", OrderNo: "2020061214140465562"})
	},
	vshop.OpCancelAutoRenewal: func(ctx context.Context, c *vshop.Client) (any, error) {
		return c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{DeviceCode: "89860220190905123941",
			OrderNo: "89860220190905123941", PayId: "89860220190905123941"})
	},
	vshop.OpListAutoRenewals: func(ctx context.Context, c *vshop.Client) (any, error) {
		return c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{DeviceCode: "8100000000012000423"})
	},
	vshop.OpListOrders: func(ctx context.Context, c *vshop.Client) (any, error) {
		return c.ListOrders(ctx, vshop.ListOrdersRequest{DeviceCode: "89852121501108205774"})
	},
}

// TestDocumentedReplies sends each documented reply, byte for byte, from a loopback server (which
// checks the request's sign over the raw text it received) and asserts the outcome the spec chose:
// a success decoded into the typed result equal to the file's data, or a *DecodeError. Above all, no
// documented success of a write (createOrder, cancelAutoRenewal) is reported as a failure.
func TestDocumentedReplies(t *testing.T) {
	raw, err := os.ReadFile("openapi/testdata/documented-replies.json")
	if err != nil {
		t.Fatal(err)
	}
	var file documentedReplies
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Replies) < 5 {
		t.Fatalf("%d documented replies, want at least 5", len(file.Replies))
	}
	for _, r := range file.Replies {
		t.Run(r.OperationID+"/"+r.Name, func(t *testing.T) {
			call, ok := callers[r.OperationID]
			if !ok {
				t.Fatalf("no caller for %s", r.OperationID)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				body, _ := io.ReadAll(req.Body)
				if err := rawverify.Verify(body); err != nil {
					t.Errorf("the request's sign does not verify over its raw text: %v", err)
				}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, r.Body)
			}))
			defer srv.Close()
			c, err := vshop.NewClient(srv.URL, "P000270", vshop.WithRetryMax(0))
			if err != nil {
				t.Fatal(err)
			}
			data, err := call(context.Background(), c)
			switch r.Outcome {
			case "success":
				if err != nil {
					t.Fatalf("a documented success reply gave %v", err)
				}
				checkData(t, data, r.Data)
			case "decode-error":
				var de *vshop.DecodeError
				if !errors.As(err, &de) || de.Operation != r.OperationID {
					t.Fatalf("got %#v, %v; want a *vshop.DecodeError naming %s", data, err, r.OperationID)
				}
			default:
				t.Fatalf("unknown outcome %q", r.Outcome)
			}
		})
	}
}

// checkData compares a typed result with the expected data of the file, both as decoded JSON.
func checkData(t *testing.T, got any, want json.RawMessage) {
	t.Helper()
	if string(want) == "null" || len(want) == 0 {
		if v := reflect.ValueOf(got); v.IsValid() && !v.IsNil() && v.Len() != 0 {
			t.Errorf("data %#v, want none", got)
		}
		return
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("data\n got %s\nwant %s", b, want)
	}
}
