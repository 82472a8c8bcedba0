package vshoptest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// The whole purchase flow against the fake, then two faults: a failure code on the next listPlans,
// and two HTTP 503s that the client's retries ride out, as srv.Requests shows. Only the public API is
// used. In a test, write srv := vshoptest.NewServer(t) instead of Start and Close.
func Example() {
	srv, err := vshoptest.Start("127.0.0.1:0", vshoptest.WithClock(func() time.Time {
		return time.Date(2026, time.January, 15, 2, 0, 0, 0, time.UTC) // 10:00 in UTC+8, the Mall's zone
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client() // partner vshoptest.PartnerCode, the fake's clock
	ctx := context.Background()
	card := vshoptest.CardValid
	lang, mark, term := vshop.LanguageEnglish, vshop.MarkLinksfieldCard, vshop.TerminalMobile

	verified, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verify:", verified["status"])

	listPlans := func() ([]vshop.Plan, error) {
		data, err := c.ListPlans(ctx, vshop.ListPlansRequest{
			DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term, Area: "Europe"})
		if err != nil {
			return nil, err
		}
		return data.Plans, nil
	}
	plans, err := listPlans()
	if err != nil {
		log.Fatal(err)
	}
	p := plans[0]
	fmt.Println("plans:", len(plans), "first:", p.ServicePlanShowName)

	order, err := c.CreateOrder(ctx, vshop.CreateOrderRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term,
		PackageCode: p.PackageCode, ServicePlanCode: p.ServicePlanCode, OrderPeriod: "1",
		PayAmount: p.PayAmount, PayCurrency: p.PayCurrency, AutoRenewal: vshop.AutoRenewalOn})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("order:", order.OrderNo)

	list, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("orders:", len(list.OrderList), "status", list.OrderList[0].OrderStatus.Name(), "until", list.OrderList[0].ExpireDate)

	renewals, err := c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term,
		OrderNo: renewals[0].OrderNo, PayId: renewals[0].PayId})
	if err != nil {
		log.Fatal(err)
	}
	left, err := srv.AutoRenewals(card) // the fake's state, read directly
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("auto-renewals:", len(renewals), "then", len(left))

	// A fault: the next listPlans answers the failure code "F".
	if err := srv.FailNext("listPlans", 1, vshoptest.Fault{OperateCode: "F", Message: "plans are being updated"}); err != nil {
		log.Fatal(err)
	}
	_, err = listPlans()
	var apiErr *vshop.APIError
	if errors.As(err, &apiErr) {
		fmt.Printf("fault: HTTP %d, operateCode %s, %q\n", apiErr.StatusCode, apiErr.OperateCode, apiErr.Message)
	}

	// Two 503s, then success: listPlans is read-only, so the client retries it.
	srv.ResetRequests()
	if err := srv.FailNext("listPlans", 2, vshoptest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		log.Fatal(err)
	}
	if _, err := listPlans(); err != nil {
		log.Fatal(err)
	}
	for _, r := range srv.Requests() {
		fmt.Println("request:", r.Operation, r.Status, "sign verified:", r.SignVerified)
	}
	// Output:
	// verify: valid
	// plans: 3 first: Europe 1GB 30-Days
	// order: NO2026011510000000001
	// orders: 1 status In use, 正在使用 (inferred) until 2026-02-14
	// auto-renewals: 1 then 0
	// fault: HTTP 200, operateCode F, "plans are being updated"
	// request: listPlans 503 sign verified: true
	// request: listPlans 503 sign verified: true
	// request: listPlans 200 sign verified: true
}

// In a test, NewServer starts the fake and closes it when the test ends.
func ExampleNewServer() {
	testCheckout := func(t *testing.T) {
		srv := vshoptest.NewServer(t)
		c := srv.Client()
		_, err := c.VerifyCard(context.Background(), vshop.VerifyCardRequest{
			DeviceCode: vshoptest.CardDeactivated, LanguageCode: vshop.LanguageEnglish,
			Mark: vshop.MarkLinksfieldCard, Terminal: vshop.TerminalMobile})
		var apiErr *vshop.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
			t.Fatalf("a deactivated card: got %v, want HTTP 403", err)
		}
	}
	_ = testCheckout // run by `go test` as func TestCheckout(t *testing.T)
}

// A slow Mall that then drops the connection: the client gives up after its own timeout.
func ExampleServer_FailAlways() {
	srv, err := vshoptest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if err := srv.FailAlways("verifyCard", vshoptest.Fault{Delay: time.Second, Drop: true}); err != nil {
		log.Fatal(err)
	}
	c := srv.Client(vshop.WithTimeout(200 * time.Millisecond))
	_, err = c.VerifyCard(context.Background(), vshop.VerifyCardRequest{
		DeviceCode: vshoptest.CardValid, LanguageCode: vshop.LanguageEnglish,
		Mark: vshop.MarkLinksfieldCard, Terminal: vshop.TerminalMobile})
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output: true
}

// List the seeded test cards, as `vshop sandbox` does.
func ExampleServer_Cards() {
	srv, err := vshoptest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	for _, c := range srv.Cards() {
		fmt.Println(c.ICCID, c.Linksfield)
	}
	// Output:
	// 89852420180910340793 true
	// 89860220190905123941 true
	// 89852121501108205774 true
	// 8100000000012000423 true
	// 89430101521032420180 true
	// 89014100000000000017 false
	// 89852400000000000005 true
	// 89852400000000000013 true
}
