package vshoptest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// TestConcurrentFlows runs 50 goroutines of 20 flows each (verify, create with auto-renewal, list
// orders, cancel the auto-renewal), ten goroutines per card, and then checks the fake's state and
// what it recorded: every order exactly once, no auto-renewal left, no HTTP 500. Run it with -race.
func TestConcurrentFlows(t *testing.T) {
	const goroutines, flows = 50, 20
	cards := []string{vshoptest.CardValid, vshoptest.CardValid2, vshoptest.CardValid3, "89852400000000000101", "89852400000000000102"}
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithCards(cards[3:]...))
	c := srv.Client(vshop.WithRetryMax(0)) // a lost answer must show as an error, not be hidden by a retry
	ctx := context.Background()
	lang, mark, term := vshop.LanguageEnglish, vshop.MarkLinksfieldCard, vshop.TerminalMobile

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*flows)
	for g := range goroutines {
		wg.Go(func() {
			card := cards[g%len(cards)]
			for i := range flows {
				orderNo := fmt.Sprintf("NO-%02d-%02d", g, i)
				if err := flow(ctx, c, card, orderNo, lang, mark, term); err != nil {
					errs <- fmt.Errorf("goroutine %d flow %d: %w", g, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Every order exactly once, on its card; no auto-renewal left.
	total := 0
	for k, card := range cards {
		orders, err := srv.Orders(card)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, o := range orders {
			seen[o.OrderNo]++
		}
		for g := k; g < goroutines; g += len(cards) {
			for i := range flows {
				if n := seen[fmt.Sprintf("NO-%02d-%02d", g, i)]; n != 1 {
					t.Errorf("card %s: order NO-%02d-%02d held %d times", card, g, i, n)
				}
			}
		}
		if want := goroutines / len(cards) * flows; len(orders) != want {
			t.Errorf("card %s: %d orders, want %d", card, len(orders), want)
		}
		total += len(orders)
		if recs, _ := srv.AutoRenewals(card); len(recs) != 0 {
			t.Errorf("card %s: %d auto-renewals left, want 0", card, len(recs))
		}
	}
	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
	}
	t.Logf("%d goroutines x %d flows: %d orders held, answers by HTTP status %v", goroutines, flows, total, statuses)
	if statuses[500] != 0 || len(statuses) != 1 || statuses[200] != goroutines*flows*4 {
		t.Errorf("answers by HTTP status %v, want %d of 200 only", statuses, goroutines*flows*4)
	}
}

// flow is one purchase flow on card: verify, create orderNo with auto-renewal, find it in the
// card's orders, cancel its auto-renewal.
func flow(ctx context.Context, c *vshop.Client, card, orderNo string,
	lang vshop.LanguageCode, mark vshop.Mark, term vshop.Terminal) error {
	if _, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term}); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	created, err := c.CreateOrder(ctx, order(card, orderNo))
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if created.OrderNo != orderNo || created.PayId == "" {
		return fmt.Errorf("create answered %+v", created)
	}
	list, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term})
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if len(list.OrderList) == 0 {
		return errors.New("list: no orders after a create")
	}
	if _, err := c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{
		DeviceCode: card, LanguageCode: lang, Mark: mark, Terminal: term, OrderNo: orderNo, PayId: created.PayId}); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	return nil
}

// TestSameOrderNoAtOnce sends the same createOrder from 50 goroutines released together: one order
// is made, and every caller is answered with it.
func TestSameOrderNoAtOnce(t *testing.T) {
	const goroutines = 50
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed))
	c := srv.Client(vshop.WithRetryMax(0))
	ctx := context.Background()
	req := order(vshoptest.CardValid, "NO-SAME") // without payId: the fake generates one, once
	start := make(chan struct{})
	var wg sync.WaitGroup
	payIDs := make([]string, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			<-start
			o, err := c.CreateOrder(ctx, req)
			if err != nil {
				t.Errorf("goroutine %d: %v", g, err)
				return
			}
			payIDs[g] = o.PayId
		})
	}
	close(start)
	wg.Wait()
	orders, err := srv.Orders(vshoptest.CardValid)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].OrderNo != "NO-SAME" {
		t.Fatalf("orders %+v, want exactly one NO-SAME", orders)
	}
	for g, id := range payIDs {
		if id != orders[0].PayID {
			t.Errorf("goroutine %d was answered payId %q, the order has %q", g, id, orders[0].PayID)
		}
	}
	if recs, _ := srv.AutoRenewals(vshoptest.CardValid); len(recs) != 1 {
		t.Errorf("%d auto-renewals, want 1", len(recs))
	}
	if n := len(srv.Requests()); n != goroutines {
		t.Errorf("%d requests recorded, want %d", n, goroutines)
	}
}
