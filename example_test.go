package vshop_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/generated"
)

// listAutoRenewalsReply is the documented answer of /queryAutoRenewalRecord.
const listAutoRenewalsReply = `{"operateCode":"S","message":"success","data":[
 {"partnerCode":"CU-7ZOIHX0RB16U","deviceCode":"8100000000012000423","payId":"CU-7ZOIHX0RB16U2025032713303774502","orderNo":"NO2025032713303915052","servicePlanShowName":"LY_day-ZRR-ZQ-1_20250326","orderPeriod":"2","packageType":"1","subscriptionTime":"2025.03.27"},
 {"partnerCode":"CU-7ZOIHX0RB16U","deviceCode":"8100000000012000423","payId":"CU-7ZOIHX0RB16U2025032716555145910","orderNo":"NO2025032716555388835","servicePlanShowName":"LY_day-ZRR-ZQ-1_20250326","orderPeriod":"2","packageType":"1","subscriptionTime":"2025.03.27"}]}`

// fakeMall stands in for the Vshop service on 127.0.0.1: it answers every request with body.
func fakeMall(body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
}

var renewals = generated.ListAutoRenewalsRequest{
	DeviceCode:   "8100000000012000423",
	LanguageCode: generated.LanguageEnglish,
	Mark:         generated.MarkLinksfieldCard,
	Terminal:     generated.TerminalMobile,
}

func ExampleNewClient() {
	srv := fakeMall(listAutoRenewalsReply) // in production: vshop.ProductionURL
	defer srv.Close()

	client, err := vshop.NewClient(srv.URL, "P000270",
		vshop.WithTimeout(10*time.Second), // the whole call, retries included
		vshop.WithRetryMax(2),             // read-only calls: at most 3 attempts
		vshop.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Leave partnerCode, version, tradeType, tradeTime and sign empty: the client fills and signs them.
	resp, err := client.ListAutoRenewalsWithResponse(context.Background(), renewals)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range resp.JSON200.Data {
		fmt.Println(r.OrderNo, r.PackageType, r.SubscriptionTime)
	}
	// Output:
	// NO2025032713303915052 1 2025.03.27
	// NO2025032716555388835 1 2025.03.27
}

func ExampleData() {
	srv := fakeMall(listAutoRenewalsReply)
	defer srv.Close()
	client, err := vshop.NewClient(srv.URL, "P000270")
	if err != nil {
		log.Fatal(err)
	}

	// Data takes both results of a call and gives the envelope's typed data, or one error.
	records, err := vshop.Data[[]generated.AutoRenewalRecord](client.ListAutoRenewalsWithResponse(context.Background(), renewals))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(records), "auto-renewals; first:", records[0].PayId)
	// Output:
	// 2 auto-renewals; first: CU-7ZOIHX0RB16U2025032713303774502
}

func ExampleAPIError() {
	srv := fakeMall(`{"operateCode":"F","message":"card not found"}`)
	defer srv.Close()
	client, err := vshop.NewClient(srv.URL, "P000270")
	if err != nil {
		log.Fatal(err)
	}

	_, err = vshop.Data[[]generated.AutoRenewalRecord](client.ListAutoRenewalsWithResponse(context.Background(), renewals))
	var apiErr *vshop.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("operation:", apiErr.Operation)
		fmt.Println("HTTP status:", apiErr.StatusCode)
		fmt.Println("operateCode:", apiErr.OperateCode)
		fmt.Println("message:", apiErr.Message)
	}
	fmt.Println(err)
	// Output:
	// operation: listAutoRenewals
	// HTTP status: 200
	// operateCode: F
	// message: card not found
	// vshop listAutoRenewals: HTTP 200, operateCode "F": card not found
}

func ExampleValidationError() {
	srv := fakeMall(listAutoRenewalsReply)
	defer srv.Close()
	client, err := vshop.NewClient(srv.URL, "P000270")
	if err != nil {
		log.Fatal(err)
	}

	bad := renewals
	bad.DeviceCode = "8100-0000-0001" // not digits only: refused before anything is sent
	_, err = client.ListAutoRenewalsWithResponse(context.Background(), bad)
	var invalid *vshop.ValidationError
	if errors.As(err, &invalid) {
		fmt.Printf("field %s %s\n", invalid.Field, invalid.Rule)
	}
	fmt.Println(err)
	// Output:
	// field deviceCode must match ^[0-9]+$
	// vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$
}

func ExampleWithLogger() {
	srv := fakeMall(listAutoRenewalsReply)
	defer srv.Close()

	handler := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelInfo, // slog.LevelDebug adds the request and response bodies
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "latency" { // (they change from run to run)
				return slog.Attr{}
			}
			return a
		},
	})
	client, err := vshop.NewClient(srv.URL, "P000270", vshop.WithLogger(slog.New(handler)))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.ListAutoRenewalsWithResponse(context.Background(), renewals); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"level":"INFO","msg":"vshop call","operation":"listAutoRenewals","tradeType":"queryAutoRenewalRecord","device":"810000*********0423","status":200,"operateCode":"S","attempts":1}
}

func ExampleMaskDevice() {
	fmt.Println(vshop.MaskDevice("89852420180910340793"))
	// Output: 898524**********0793
}

// Compose a RetrySafe from the default instead of writing one from scratch: here, also retry
// cancellations (the default sends them once), accepting that a repeat after a lost answer may come
// back as a failure for a renewal that is already cancelled.
func ExampleWithRetrySafe() {
	retryCancels := func(operation string, body []byte) bool {
		return operation == vshop.OpCancelAutoRenewal || vshop.DefaultRetrySafe(operation, body)
	}
	client, err := vshop.NewClient(vshop.ProductionURL, "P000270", vshop.WithRetrySafe(retryCancels))
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

// Compose a CheckRetry: the default, except that 429 is not retried because the caller runs its own
// rate limiter.
func ExampleWithCheckRetry() {
	check := func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			return false, nil
		}
		return vshop.DefaultCheckRetry(ctx, resp, err)
	}
	client, err := vshop.NewClient(vshop.ProductionURL, "P000270", vshop.WithCheckRetry(check))
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}
