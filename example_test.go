package vshop_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// The examples talk to the fake Mall of package vshoptest on 127.0.0.1, which checks every request's
// sign on the bytes it received and validates it against the spec. Its clock is fixed, so the orderNo
// and payId it makes up are the same on every run; mall.Client() is a client with the same clock.
// (In a test, vshoptest.NewServer(t) starts one and stops it when the test ends.)
const card = vshoptest.CardValid // a card with plans

// fakeMall starts the fake Mall; stop it with Close.
func fakeMall() *vshoptest.Server {
	mall, err := vshoptest.Start("127.0.0.1:0", vshoptest.WithClock(func() time.Time {
		return time.Date(2026, time.January, 15, 2, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		log.Fatal(err)
	}
	return mall
}

func ExampleNewClient() {
	mall := fakeMall() // in production: vshop.ProductionURL
	defer mall.Close()

	client, err := vshop.NewClient(mall.URL, "P000270",
		vshop.WithClock(mall.Now),                 // the fake's fixed clock: leave it out in production
		vshop.WithTimeout(10*time.Second),         // the whole call, retries included
		vshop.WithRetryMax(2),                     // read-only calls: at most 3 attempts
		vshop.WithLanguage(vshop.LanguageEnglish), // the default languageCode of every request
	)
	if err != nil {
		log.Fatal(err)
	}
	// Only the operation's own fields: the client fills partnerCode, version, tradeType, tradeTime,
	// languageCode, mark and terminal, and signs the request.
	orders, err := client.ListOrders(context.Background(), vshop.ListOrdersRequest{DeviceCode: "89852121501108205774"})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range orders.OrderList {
		fmt.Println(o.ServicePlanShowName, "-", vshop.OrderStatus(o.OrderStatus).Name())
	}
	// Output:
	// Singapore 2G 30-Days Unlimited Speech - In use, 正在使用 (inferred)
	// Singapore 2G 30-Days Unlimited Speech - Bought, not yet enabled, 未启用 (inferred)
	// Singapore 2G 30-Days Unlimited Speech - Bought, not yet enabled, 未启用 (inferred)
}

func ExampleClient_VerifyCard() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	data, err := client.VerifyCard(context.Background(), vshop.VerifyCardRequest{
		DeviceCode: card,
		Url:        "https://dist.linksfield.net/login",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(data["deviceCode"], data["status"])
	// Output: 89852420180910340793 valid
}

func ExampleClient_ListPlans() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	data, err := client.ListPlans(context.Background(), vshop.ListPlansRequest{DeviceCode: card, Area: "欧洲"})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range data.Plans {
		fmt.Println(p.ServicePlanShowName, p.PayAmount, p.PayCurrency, "-", p.PackageType.Name())
	}
	// Output:
	// Europe 1GB 30-Days 4.99 USD - Monthly data plan, 月流量套餐
	// Europe 5GB 30-Days 12.36 GBP - Monthly data plan, 月流量套餐
	// Europe Unlimited Day Pass 3.00 EUR - Day-schedule plan, 日程套餐
}

func ExampleClient_CreateOrder() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	order, err := client.CreateOrder(context.Background(), vshop.CreateOrderRequest{
		DeviceCode:      card,
		PackageCode:     "PACKAGE20180428000007",
		ServicePlanCode: "SP-EU-1GB-30D",
		OrderPeriod:     "1",
		PayAmount:       "4.99",
		PayCurrency:     "USD",
		AutoRenewal:     vshop.AutoRenewalOn,
		OrderNo:         "NO-EXAMPLE-1", // with an orderNo, a lost answer is retried as the same order
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(order.OrderNo, order.PayId)
	// Output: NO-EXAMPLE-1 P0002702026011510000000001
}

func ExampleClient_ListOrders() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	orders, err := client.ListOrders(context.Background(), vshop.ListOrdersRequest{DeviceCode: "89852121501108205774"})
	if err != nil {
		log.Fatal(err)
	}
	o := orders.OrderList[0]
	fmt.Println(len(orders.OrderList), "orders; the first expires", o.ExpireDate)
	// Output: 3 orders; the first expires 2024-07-31
}

func ExampleClient_ListAutoRenewals() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	records, err := client.ListAutoRenewals(context.Background(), vshop.ListAutoRenewalsRequest{DeviceCode: "8100000000012000423"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range records {
		fmt.Println(r.OrderNo, r.PackageType.Name(), r.SubscriptionTime)
	}
	// Output:
	// NO2025032713303915052 Daily data plan, 日流量套餐 2025.03.27
	// NO2025032716555388835 Daily data plan, 日流量套餐 2025.03.27
}

func ExampleClient_CancelAutoRenewal() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()
	ctx := context.Background()

	_, err := client.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{
		DeviceCode: "8100000000012000423",
		PayId:      "CU-7ZOIHX0RB16U2025032713303774502",
		OrderNo:    "NO2025032713303915052",
	})
	if err != nil {
		log.Fatal(err)
	}
	left, err := client.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{DeviceCode: "8100000000012000423"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(left), "auto-renewal left:", left[0].OrderNo)
	// Output: 1 auto-renewal left: NO2025032716555388835
}

func ExampleClient_SyncThirdPartyOrder() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	// The values of the documented example: a payment collected by the partner, reported afterwards.
	data, err := client.SyncThirdPartyOrder(context.Background(), vshop.SyncThirdPartyOrderRequest{
		DeviceCode:    card,
		PackageCode:   "DP20190726001274",
		OrderNo:       "NO2023060915590562022",
		OrderPeriod:   "1",
		PayAmount:     "12.36",
		PayCurrency:   "GBP",
		PayId:         "P000000002022",
		PayRst:        "SUCCESS",
		PayResultDate: "2022-06-07 15:10:35",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(data["orderNo"], data["payId"])
	// Output: NO2023060915590562022 P000000002022
}

func ExampleAPIError() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	_, err := client.VerifyCard(context.Background(), vshop.VerifyCardRequest{DeviceCode: vshoptest.CardUnknown})
	var apiErr *vshop.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("operation:", apiErr.Operation)
		fmt.Println("HTTP status:", apiErr.StatusCode)
		fmt.Println("operateCode:", apiErr.OperateCode)
		fmt.Println("message:", apiErr.Message)
	}
	// Output:
	// operation: verifyCard
	// HTTP status: 404
	// operateCode: F
	// message: unknown device 89852400000000000099: not one of the fake's test cards (vshoptest.CardValid is one; `vshop sandbox` lists them)
}

func ExampleValidationError() {
	mall := fakeMall()
	defer mall.Close()
	client := mall.Client()

	// Not digits only: refused before anything is sent.
	_, err := client.ListAutoRenewals(context.Background(), vshop.ListAutoRenewalsRequest{DeviceCode: "8100-0000-0001"})
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
	mall := fakeMall()
	defer mall.Close()

	handler := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelInfo, // slog.LevelDebug adds the request and response bodies
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "latency" { // (they change from run to run)
				return slog.Attr{}
			}
			return a
		},
	})
	client := mall.Client(vshop.WithLogger(slog.New(handler)))
	if _, err := client.ListAutoRenewals(context.Background(), vshop.ListAutoRenewalsRequest{DeviceCode: "8100000000012000423"}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"level":"INFO","msg":"vshop call","operation":"listAutoRenewals","tradeType":"queryAutoRenewalRecord","device":"810000*********0423","status":200,"operateCode":"S","attempts":1}
}

func ExampleMaskDevice() {
	fmt.Println(vshop.MaskDevice("89852420180910340793"))
	// Output: 898524**********0793
}

func ExampleOperations() {
	for _, op := range vshop.Operations() {
		fmt.Printf("%-20s POST %-25s tradeType %s\n", op.ID, op.Path, op.TradeType)
	}
	// Output:
	// verifyCard           POST /singleVerify             tradeType singleVerify
	// listPlans            POST /singleServicePlanPage    tradeType singleServicePlanPage
	// createOrder          POST /singleOrder              tradeType singleOrder
	// listOrders           POST /singleQueryOrder         tradeType singleQueryOrder
	// listAutoRenewals     POST /queryAutoRenewalRecord   tradeType queryAutoRenewalRecord
	// cancelAutoRenewal    POST /cancelAutoRenewalRecord  tradeType cancelAutoRenewalRecord
	// syncThirdPartyOrder  POST /synPartner/SynOrderInfo  tradeType SynOrderInfo
}

// Compose a RetrySafe from the default instead of writing one from scratch: here, also retry
// cancellations (the default sends them once), accepting that a repeat after a lost answer may come
// back as a failure for a renewal that is already cancelled.
func ExampleWithRetrySafe() {
	retryCancels := func(op vshop.Operation, f vshop.Fields) bool {
		return op.ID == vshop.OpCancelAutoRenewal || vshop.DefaultRetrySafe(op, f)
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

// Check a value against the spec's rule before building a request, as a CLI or a form does.
func ExampleOperation_Check() {
	op, _ := vshop.OperationByID(vshop.OpCreateOrder)
	fmt.Println(op.Check("orderPeriod", "1"))
	fmt.Println(op.Check("orderPeriod", "0"))
	fmt.Println(op.Check("payCurrency", ""))
	// Output:
	// <nil>
	// vshop createOrder: invalid request, not sent: orderPeriod: must match ^[1-9][0-9]*$
	// vshop createOrder: invalid request, not sent: payCurrency: is required
}
