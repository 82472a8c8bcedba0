package vshoptest

import (
	"fmt"
	"time"

	"github.com/vshop-go/vshop/generated"
)

// The test cards, as named values. The first five ICCIDs appear in Linksfield's documentation; the
// others are the fake's own. [Server.Cards] lists the seeded ones with a note on each.
const (
	// CardValid is valid with no orders, and can buy every plan: the card of the documented
	// /singleVerify, /singleServicePlanPage and /synPartner/SynOrderInfo examples. Use it for the
	// purchase flow.
	CardValid = "89852420180910340793"
	// CardValid2 is valid with no orders: the card of the documented /singleOrder request.
	CardValid2 = "89860220190905123941"
	// CardValid3 is valid with no orders: the card of the Mall Global Specification's signature example.
	CardValid3 = "89430101521032420180"
	// CardWithOrders has the documented /singleQueryOrder orders (partner SU528SX8BZ): one in use that
	// expired on 2024-07-31, two not enabled.
	CardWithOrders = "89852121501108205774"
	// CardWithAutoRenewals has the documented /queryAutoRenewalRecord auto-renewals (partner
	// CU-7ZOIHX0RB16U) and their two orders.
	CardWithAutoRenewals = "8100000000012000423"
	// CardNotLinksfield is not a Linksfield card: requests about it must send mark "1"; mark "0" is
	// answered with HTTP 422.
	CardNotLinksfield = "89014100000000000017"
	// CardDeactivated is deactivated: every request about it is answered with HTTP 403.
	CardDeactivated = "89852400000000000005"
	// CardNoPartner is a Linksfield card assigned to no partner: every request about it is answered
	// with HTTP 403.
	CardNoPartner = "89852400000000000013"
	// CardUnknown is not a card of the fake: every request about it is answered with HTTP 404.
	CardUnknown = "89852400000000000099"
)

// seedPlans is the plan catalogue. Two entries reuse the packageCodes of Linksfield's /singleOrder and
// /synPartner/SynOrderInfo examples (with their prices), two the plan names of the /singleQueryOrder
// and /queryAutoRenewalRecord examples, so that those examples run against the fake.
func seedPlans() []Plan {
	return []Plan{
		{PackageCode: "PACKAGE20180428000007", ServicePlanCode: "SP-EU-1GB-30D", ServicePlanShowName: "Europe 1GB 30-Days",
			PackageType: generated.PackageTypeMonthly, Area: "欧洲", PayAmount: "4.99", PayCurrency: "USD"},
		{PackageCode: "DP20190726001274", ServicePlanCode: "SP-EU-5GB-30D", ServicePlanShowName: "Europe 5GB 30-Days",
			PackageType: generated.PackageTypeMonthly, Area: "欧洲", PayAmount: "12.36", PayCurrency: "GBP"},
		{PackageCode: "PACKAGE-EU-UNL-DAY", ServicePlanCode: "SP-EU-UNL-DAY", ServicePlanShowName: "Europe Unlimited Day Pass",
			PackageType: generated.PackageTypeDaySchedule, Area: "欧洲", PayAmount: "3.00", PayCurrency: "EUR"},
		{PackageCode: "PACKAGE-SG-2G-30D", ServicePlanCode: "SP-SG-2G-30D", ServicePlanShowName: "Singapore 2G 30-Days Unlimited Speech",
			PackageType: generated.PackageTypeMonthly, Area: "亚洲", PayAmount: "9.90", PayCurrency: "USD"},
		{PackageCode: "PACKAGE-ASIA-500MB-1D", ServicePlanCode: "SP-ASIA-500MB-1D", ServicePlanShowName: "Asia 500MB Daily",
			PackageType: generated.PackageTypeDaily, Area: "亚洲", PayAmount: "1.99", PayCurrency: "USD"},
		{PackageCode: "PACKAGE-JP-20GB-90D", ServicePlanCode: "SP-JP-20GB-90D", ServicePlanShowName: "Japan 20GB 90-Days",
			PackageType: generated.PackageTypeQuarterly, Area: "亚洲", PayAmount: "29.00", PayCurrency: "USD"},
		{PackageCode: "PACKAGE-LY-DAY-ZRR", ServicePlanCode: "LY_day-ZRR-ZQ-1", ServicePlanShowName: "LY_day-ZRR-ZQ-1_20250326",
			PackageType: generated.PackageTypeDaily, Area: "全球", PayAmount: "2.50", PayCurrency: "USD"},
		{PackageCode: "PACKAGE-GLOBAL-10GB-1Y", ServicePlanCode: "SP-GLOBAL-10GB-1Y", ServicePlanShowName: "Global 10GB 1-Year",
			PackageType: generated.PackageTypeYearly, Area: "全球", PayAmount: "59.00", PayCurrency: "USD"},
	}
}

// seed fills the state with the test cards and their orders and auto-renewals.
func (s *mall) seed() error {
	s.seedCards = []Card{
		{ICCID: CardValid, Linksfield: true,
			Note: "valid, no orders: the card of the documented /singleVerify example; use it for the purchase flow"},
		{ICCID: CardValid2, Linksfield: true,
			Note: "valid, no orders: the card of the documented /singleOrder and /queryAutoRenewalRecord requests"},
		{ICCID: CardWithOrders, Linksfield: true,
			Note: "has the documented /singleQueryOrder orders: one in use (expired 2024-07-31), two not enabled"},
		{ICCID: CardWithAutoRenewals, Linksfield: true,
			Note: "has the documented /queryAutoRenewalRecord auto-renewals (partner CU-7ZOIHX0RB16U) and their orders"},
		{ICCID: CardValid3, Linksfield: true,
			Note: "valid, no orders: the card of the signature example in the Mall Global Specification"},
		{ICCID: CardNotLinksfield, Linksfield: false,
			Note: `not a Linksfield card: requests must send mark "1" (mark "0" fails with HTTP 422)`},
		{ICCID: CardDeactivated, Linksfield: true,
			Note: "deactivated: every request about it fails with HTTP 403"},
		{ICCID: CardNoPartner, Linksfield: true,
			Note: "assigned to no partner: every request about it fails with HTTP 403"},
	}
	for _, c := range s.seedCards {
		s.cards[c.ICCID] = &card{Card: c, deactivated: c.ICCID == CardDeactivated, noPartner: c.ICCID == CardNoPartner}
	}
	if len(s.extraCards) > s.limits.MaxCards {
		return fmt.Errorf("vshoptest: WithCards: %d cards, over the limit of %d (vshoptest.Limits.MaxCards)",
			len(s.extraCards), s.limits.MaxCards)
	}
	for _, iccid := range s.extraCards {
		if !validICCID(iccid) {
			return fmt.Errorf("vshoptest: WithCards: %q is not an ICCID: want 1 to 20 digits", iccid)
		}
		if _, dup := s.cards[iccid]; dup {
			return fmt.Errorf("vshoptest: WithCards: card %s is already a card of the fake", iccid)
		}
		s.cards[iccid] = &card{Card: Card{ICCID: iccid, Linksfield: true, Note: "added by WithCards: valid, no orders"}}
	}

	// /singleQueryOrder example: partner SU528SX8BZ, one order in use that expired on 2024-07-31 (a
	// 30-day period from 2024-07-01), then two not enabled of 1 and 2 periods.
	s.cards[CardWithOrders].customer = "SU528SX8BZ"
	expired := time.Date(2024, time.July, 31, 0, 0, 0, 0, time.UTC)
	for i, period := range []int{1, 1, 2} {
		if err := s.seedOrder(order{
			partnerCode: "SU528SX8BZ", deviceCode: CardWithOrders,
			orderNo: fmt.Sprintf("NO202407011000000000%d", i+1), payID: fmt.Sprintf("SU528SX8BZ202407011000000000%d", i+1),
			plan: s.plans[s.planByPkg["PACKAGE-SG-2G-30D"]], period: period, payAmount: "9.90", payCurrency: "USD",
			autoRenewal: generated.AutoRenewalOff, inUse: i == 0, expire: expired,
		}); err != nil {
			return err
		}
	}

	// /queryAutoRenewalRecord example: partner CU-7ZOIHX0RB16U, two daily orders of 2 periods with
	// auto-renewal, subscribed on 2025.03.27; the first is in use (2025-03-27 + 2 days).
	s.cards[CardWithAutoRenewals].customer = "CU-7ZOIHX0RB16U"
	for i, ids := range [][2]string{
		{"NO2025032713303915052", "CU-7ZOIHX0RB16U2025032713303774502"},
		{"NO2025032716555388835", "CU-7ZOIHX0RB16U2025032716555145910"},
	} {
		if err := s.seedOrder(order{
			partnerCode: "CU-7ZOIHX0RB16U", deviceCode: CardWithAutoRenewals, orderNo: ids[0], payID: ids[1],
			plan: s.plans[s.planByPkg["PACKAGE-LY-DAY-ZRR"]], period: 2, payAmount: "5.00", payCurrency: "USD",
			autoRenewal: generated.AutoRenewalOn, inUse: i == 0, expire: time.Date(2025, time.March, 29, 0, 0, 0, 0, time.UTC),
		}); err != nil {
			return err
		}
		c := s.cards[CardWithAutoRenewals]
		c.renewals[len(c.renewals)-1].SubscriptionTime = "2025.03.27"
	}
	return nil
}

// validICCID reports whether s is 1 to 20 digits.
func validICCID(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// seedOrder stores a seeded order (and its auto-renewal when it has one).
func (s *mall) seedOrder(o order) error {
	if o.plan.PackageCode == "" {
		return fmt.Errorf("vshoptest: seed: order %s names no plan of the catalogue", o.orderNo)
	}
	o.source = "/singleOrder"
	o.periodText = fmt.Sprint(o.period)
	if !o.inUse {
		o.expire = time.Time{}
	}
	s.store(&o, time.Time{})
	return nil
}
