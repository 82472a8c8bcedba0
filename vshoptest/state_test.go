package vshoptest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// TestRecordedRequestsBounded sends more requests than the fake keeps: the most recent stay, in
// order, within both limits.
func TestRecordedRequestsBounded(t *testing.T) {
	body := signedVerify(t)
	for _, tt := range []struct {
		name   string
		limits vshoptest.Limits
		want   int
	}{
		{"by count", vshoptest.Limits{MaxRecorded: 3}, 3},
		{"by bytes", vshoptest.Limits{MaxRecordedBytes: int64(2*len(body) + 1)}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithLimits(tt.limits))
			for range 6 {
				post(t, srv.URL+"/singleVerify", body)
			}
			post(t, srv.URL+"/nowhere", body)
			reqs := srv.Requests()
			if len(reqs) != tt.want {
				t.Fatalf("%d requests kept, want %d", len(reqs), tt.want)
			}
			last := reqs[len(reqs)-1]
			if last.Path != "/nowhere" || last.Operation != "" || last.Status != 404 || !last.SignVerified {
				t.Errorf("last request %+v, want the 404 on /nowhere", last)
			}
			for _, r := range reqs[:len(reqs)-1] {
				if r.Operation != "verifyCard" || r.Status != 200 || string(r.Body) != string(body) {
					t.Errorf("request %+v, want a verifyCard answered 200 with the body sent", r)
				}
			}
		})
	}
}

// TestCardsOfTheirOwn checks WithCards, the card that belongs to no partner, and the errors of the
// state accessors.
func TestCardsOfTheirOwn(t *testing.T) {
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithCards("8985240000000000777"))
	c := srv.Client()
	ctx := context.Background()
	verify := func(card string) error {
		_, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{
			DeviceCode: card, LanguageCode: "1", Mark: "0", Terminal: "0"})
		return err
	}
	if err := verify("8985240000000000777"); err != nil {
		t.Errorf("a card added by WithCards: %v", err)
	}
	verifyAs(t, verify(vshoptest.CardNoPartner), http.StatusForbidden, "belongs to no partner")
	verifyAs(t, verify(vshoptest.CardDeactivated), http.StatusForbidden, "deactivated")
	verifyAs(t, verify(vshoptest.CardUnknown), http.StatusNotFound, "unknown device "+vshoptest.CardUnknown)
	if _, err := srv.Orders(vshoptest.CardUnknown); err == nil || !strings.Contains(err.Error(), "not a card of the fake") {
		t.Errorf("Orders of an unknown card: %v", err)
	}
	if _, err := srv.AutoRenewals(vshoptest.CardUnknown); err == nil {
		t.Error("AutoRenewals of an unknown card: no error")
	}
	recs, err := srv.AutoRenewals(vshoptest.CardWithAutoRenewals)
	if err != nil || len(recs) != 2 || recs[0].OrderNo != "NO2025032713303915052" {
		t.Errorf("the seeded auto-renewals: %+v, %v", recs, err)
	}
	orders, err := srv.Orders(vshoptest.CardWithOrders)
	if err != nil || len(orders) != 3 || !orders[0].InUse || orders[0].ExpireDate != "2024-07-31" || orders[1].InUse {
		t.Errorf("the seeded orders: %+v, %v", orders, err)
	}
}
