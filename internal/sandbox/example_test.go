package sandbox_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/internal/sandbox"
)

// Start a sandbox on a loopback port and verify one of its test cards through the vshop client.
func ExampleNew() {
	s, err := sandbox.New()
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	client, err := vshop.NewClient(srv.URL, "P000270")
	if err != nil {
		panic(err)
	}
	card := s.Cards()[0]
	data, err := client.VerifyCard(context.Background(), vshop.VerifyCardRequest{
		DeviceCode:   card.ICCID,
		LanguageCode: vshop.LanguageEnglish,
		Mark:         vshop.MarkLinksfieldCard,
		Terminal:     vshop.TerminalMobile,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(data["deviceCode"], data["status"])
	// Output: 89852420180910340793 valid
}

// Order a plan with a fixed clock: the generated orderNo and payId carry the clock's time (UTC+8).
func ExampleWithClock() {
	now := func() time.Time { return time.Date(2025, time.March, 27, 5, 30, 37, 0, time.UTC) } // 13:30:37 in UTC+8
	s, err := sandbox.New(sandbox.WithClock(now))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	client, err := vshop.NewClient(srv.URL, "P000270")
	if err != nil {
		panic(err)
	}
	plan := s.Plans()[0]
	order, err := client.CreateOrder(context.Background(), vshop.CreateOrderRequest{
		DeviceCode:      "89852420180910340793",
		LanguageCode:    vshop.LanguageEnglish,
		Mark:            vshop.MarkLinksfieldCard,
		Terminal:        vshop.TerminalMobile,
		PackageCode:     plan.PackageCode,
		ServicePlanCode: plan.ServicePlanCode,
		OrderPeriod:     "1",
		PayAmount:       plan.PayAmount,
		PayCurrency:     plan.PayCurrency,
		AutoRenewal:     vshop.AutoRenewalOn,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(order.OrderNo, order.PayId)
	// Output: NO2025032713303700001 P0002702025032713303700001
}

// List the seeded test cards, as `vshop sandbox` does.
func ExampleSandbox_Cards() {
	s, err := sandbox.New()
	if err != nil {
		panic(err)
	}
	for _, c := range s.Cards() {
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
}
