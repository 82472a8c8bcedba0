package vshoptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/signing"
)

// start is the test clock's time: 2026-01-15 10:00:00 in UTC+8.
var start = time.Date(2026, time.January, 15, 10, 0, 0, 0, mallZone)

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// setup starts a fake on a loopback port with its clock at start, and returns a vshop client for it
// (partner P000270, the same clock), the server and the fake behind it.
func setup(t *testing.T, opts ...Option) (*vshop.Client, *Server, *mall) {
	t.Helper()
	srv := NewServer(t, append([]Option{WithClock((&clock{t: start}).Now)}, opts...)...)
	return srv.Client(), srv, srv.m
}

// common is the part of every request the tests send about device.
func common(device string) (vshop.LanguageCode, vshop.Mark, vshop.Terminal, string) {
	return vshop.LanguageEnglish, vshop.MarkLinksfieldCard, vshop.TerminalMobile, device
}

// TestPurchaseFlow drives the whole flow through the generated client: verify, plans, an order with
// auto-renewal, list orders, list auto-renewals, cancel, list again.
func TestPurchaseFlow(t *testing.T) {
	c, _, _ := setup(t)
	ctx := context.Background()
	lang, mark, term, dev := common(CardValid)

	// 1. Verify the card.
	verified, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{
		DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term, Url: "https://dist.linksfield.net/login"})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if verified["deviceCode"] != dev || verified["status"] != "valid" {
		t.Fatalf("verify data = %v", verified)
	}

	// 2. List the plans for Europe.
	data, err := c.ListPlans(ctx, vshop.ListPlansRequest{
		Area: "欧洲", DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term})
	if err != nil {
		t.Fatalf("plans: %v", err)
	}
	plans := data
	if len(plans.Plans) != 3 {
		t.Fatalf("got %d plans for 欧洲, want 3: %+v", len(plans.Plans), plans.Plans)
	}
	for _, p := range plans.Plans {
		if p.Area != "欧洲" || p.PackageCode == "" || p.ServicePlanCode == "" || p.PayAmount == "" {
			t.Errorf("plan %+v", p)
		}
	}
	chosen := plans.Plans[0]
	if chosen.PackageCode != "PACKAGE20180428000007" || chosen.PackageType != "2" {
		t.Fatalf("first European plan = %+v", chosen)
	}

	// 3. Order it with auto-renewal; the sandbox generates orderNo and payId.
	created, err := c.CreateOrder(ctx, vshop.CreateOrderRequest{
		AutoRenewal: vshop.AutoRenewalOn, DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term,
		OrderPeriod: "1", PackageCode: chosen.PackageCode, ServicePlanCode: chosen.ServicePlanCode,
		ServicePlanShowName: chosen.ServicePlanShowName, PayAmount: chosen.PayAmount, PayCurrency: chosen.PayCurrency})
	if err != nil {
		t.Fatalf("order: %v", err)
	}
	if created.DeviceCode != dev || created.PartnerCode != "P000270" ||
		!regexp.MustCompile(`^NO20260115100000[0-9]{5}$`).MatchString(created.OrderNo) ||
		!regexp.MustCompile(`^P00027020260115100000[0-9]{5}$`).MatchString(created.PayId) {
		t.Fatalf("created = %+v", created)
	}

	// 4. The order is in use for 30 days.
	orders, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
		DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term})
	if err != nil {
		t.Fatalf("orders: %v", err)
	}
	wantOrder := vshop.OrderSummary{OrderStatus: vshop.OrderStatusInUse, ServicePlanShowName: "Europe 1GB 30-Days",
		Time: "1", Unit: "2", ExpireDate: "2026-02-14", RemainingDays: "30"}
	if orders.DeviceCode != dev || orders.PartnerCode != "P000270" || len(orders.OrderList) != 1 || orders.OrderList[0] != wantOrder {
		t.Fatalf("orders = %+v, want one %+v", orders, wantOrder)
	}

	// 5. The auto-renewal is listed.
	listRenewals := func() []vshop.AutoRenewalRecord {
		t.Helper()
		recs, err := c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{
			DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term})
		if err != nil {
			t.Fatalf("auto-renewals: %v", err)
		}
		return recs
	}
	wantRec := vshop.AutoRenewalRecord{PartnerCode: "P000270", DeviceCode: dev, PayId: created.PayId, OrderNo: created.OrderNo,
		ServicePlanShowName: "Europe 1GB 30-Days", OrderPeriod: "1", PackageType: vshop.PackageTypeMonthly, SubscriptionTime: "2026.01.15"}
	if recs := listRenewals(); len(recs) != 1 || recs[0] != wantRec {
		t.Fatalf("auto-renewals = %+v, want [%+v]", recs, wantRec)
	}

	// 6. Cancel it.
	if _, err := c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{
		DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term, PayId: created.PayId, OrderNo: created.OrderNo}); err != nil {
		t.Fatalf("cancel: %v", err)
	}

	// 7. No auto-renewal is left (an empty array, not null); the order stays.
	if recs := listRenewals(); recs == nil || len(recs) != 0 {
		t.Fatalf("auto-renewals after cancel = %#v, want []", recs)
	}
	if orders, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
		DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term}); err != nil || len(orders.OrderList) != 1 {
		t.Fatalf("orders after cancel = %+v, %v", orders, err)
	}

	// Cancelling again is a 404 naming payId and orderNo.
	_, err = c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{
		DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term, PayId: created.PayId, OrderNo: created.OrderNo})
	var apiErr *vshop.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.OperateCode != "F" ||
		!strings.Contains(apiErr.Message, created.PayId) || !strings.Contains(apiErr.Message, created.OrderNo) {
		t.Fatalf("second cancel: %v", err)
	}
}

// TestOrders covers the order rules: second order not enabled, identical repeats, third-party
// payments, and the seeded examples.
func TestOrders(t *testing.T) {
	c, srv, _ := setup(t)
	ctx := context.Background()
	lang, mark, term, _ := common("")
	create := func(dev, orderNo, payID, pkg, spc, period, amount string) (vshop.CreatedOrder, error) {
		o, err := c.CreateOrder(ctx, vshop.CreateOrderRequest{
			DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term, OrderNo: orderNo, PayId: payID,
			OrderPeriod: period, PackageCode: pkg, ServicePlanCode: spc, PayAmount: amount, PayCurrency: "USD"})
		if err != nil {
			return vshop.CreatedOrder{}, err
		}
		return *o, nil
	}
	listOrders := func(dev string, m vshop.Mark) vshop.OrderList {
		t.Helper()
		l, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
			DeviceCode: dev, LanguageCode: lang, Mark: m, Terminal: term})
		if err != nil {
			t.Fatal(err)
		}
		return *l
	}

	first, err := create(CardValid2, "2020061214140465562", "P0008182020061214140465562", "PACKAGE20180428000007", "SP-EU-1GB-30D", "1", "4.99")
	if err != nil {
		t.Fatal(err)
	}
	want := vshop.CreatedOrder{DeviceCode: CardValid2, OrderNo: "2020061214140465562", PartnerCode: "P000270", PayId: "P0008182020061214140465562"}
	if first != want {
		t.Fatalf("first = %+v, want %+v", first, want)
	}
	again, err := create(CardValid2, "2020061214140465562", "", "PACKAGE20180428000007", "SP-EU-1GB-30D", "1", "4.99")
	if err != nil || again != first {
		t.Fatalf("identical repeat without payId = %+v, %v; want the first order %+v", again, err, first)
	}
	second, err := create(CardValid2, "", "", "PACKAGE-JP-20GB-90D", "SP-JP-20GB-90D", "2", "58.00")
	if err != nil {
		t.Fatal(err)
	}
	_, err = create(CardValid2, "2020061214140465562", "", "PACKAGE20180428000007", "SP-EU-1GB-30D", "2", "9.98")
	var apiErr *vshop.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Message, "orderPeriod") {
		t.Fatalf("conflicting repeat: %v", err)
	}
	_, err = create(CardValid, "NO-OTHER", second.PayId, "PACKAGE20180428000007", "SP-EU-1GB-30D", "1", "4.99")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || !strings.Contains(apiErr.Message, "payId "+second.PayId) {
		t.Fatalf("reused payId: %v", err)
	}

	got := listOrders(CardValid2, mark)
	wantList := []vshop.OrderSummary{
		{OrderStatus: "2", ServicePlanShowName: "Europe 1GB 30-Days", Time: "1", Unit: "2", ExpireDate: "2026-02-14", RemainingDays: "30"},
		{OrderStatus: "1", ServicePlanShowName: "Japan 20GB 90-Days", Time: "2", Unit: "3", RemainingDays: "180"},
	}
	if fmt.Sprint(got.OrderList) != fmt.Sprint(wantList) {
		t.Fatalf("orders = %+v, want %+v", got.OrderList, wantList)
	}

	// A third-party payment (the documented example's values) creates an order; repeating it does not.
	sync := vshop.SyncThirdPartyOrderRequest{
		AutoRenewal: vshop.AutoRenewalOff, DeviceCode: CardValid, Mark: mark,
		OrderNo: "NO2023060915590562022", OrderPeriod: "1", PackageCode: "DP20190726001274", PayAccount: "1",
		PayAmount: "12.36", PayCurrency: "GBP", PayId: "P000000002022", PayResultDate: "2022-06-07 15:10:35",
		PayRst: "SUCCESS", PayStatus: "1", PayType: "3", Terminal: term,
	}
	for i := range 2 {
		data, err := c.SyncThirdPartyOrder(ctx, sync)
		if err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
		if data["orderNo"] != "NO2023060915590562022" || data["payId"] != "P000000002022" || data["deviceCode"] != CardValid {
			t.Fatalf("sync %d data = %v", i, data)
		}
	}
	if l := listOrders(CardValid, mark); len(l.OrderList) != 1 || l.OrderList[0].ServicePlanShowName != "Europe 5GB 30-Days" {
		t.Fatalf("orders after sync = %+v", l)
	}

	// The seeded /singleQueryOrder example.
	seeded := listOrders(CardWithOrders, mark)
	wantSeeded := vshop.OrderList{PartnerCode: "SU528SX8BZ", DeviceCode: CardWithOrders, OrderList: []vshop.OrderSummary{
		{OrderStatus: "2", ServicePlanShowName: "Singapore 2G 30-Days Unlimited Speech", Time: "1", Unit: "2", ExpireDate: "2024-07-31", RemainingDays: "0"},
		{OrderStatus: "1", ServicePlanShowName: "Singapore 2G 30-Days Unlimited Speech", Time: "1", Unit: "2", RemainingDays: "30"},
		{OrderStatus: "1", ServicePlanShowName: "Singapore 2G 30-Days Unlimited Speech", Time: "2", Unit: "2", RemainingDays: "60"},
	}}
	if fmt.Sprint(seeded) != fmt.Sprint(wantSeeded) {
		t.Fatalf("seeded orders = %+v\nwant %+v", seeded, wantSeeded)
	}

	// The seeded /queryAutoRenewalRecord example, byte for byte as documented.
	resp := send(t, http.MethodPost, srv.URL+"/queryAutoRenewalRecord", "application/json",
		body(t, "/queryAutoRenewalRecord", map[string]any{"deviceCode": CardWithAutoRenewals, "languageCode": "0"}, false))
	if resp.status != http.StatusOK {
		t.Fatalf("seeded auto-renewals: HTTP %d %s", resp.status, resp.raw)
	}
	const documented = `{"data":[{"deviceCode":"8100000000012000423","orderNo":"NO2025032713303915052","orderPeriod":"2","packageType":"1","partnerCode":"CU-7ZOIHX0RB16U","payId":"CU-7ZOIHX0RB16U2025032713303774502","servicePlanShowName":"LY_day-ZRR-ZQ-1_20250326","subscriptionTime":"2025.03.27"},{"deviceCode":"8100000000012000423","orderNo":"NO2025032716555388835","orderPeriod":"2","packageType":"1","partnerCode":"CU-7ZOIHX0RB16U","payId":"CU-7ZOIHX0RB16U2025032716555145910","servicePlanShowName":"LY_day-ZRR-ZQ-1_20250326","subscriptionTime":"2025.03.27"}],"message":"success","operateCode":"S"}`
	if got := strings.TrimSpace(string(resp.raw)); got != documented {
		t.Fatalf("seeded auto-renewals:\n got %s\nwant %s", got, documented)
	}

	// The card that is not Linksfield's works with mark "1".
	if l := listOrders(CardNotLinksfield, vshop.MarkOtherCard); len(l.OrderList) != 0 || l.OrderList == nil {
		t.Fatalf("foreign card orders = %#v", l.OrderList)
	}
}

// TestListPlansAreas checks the area filter.
func TestListPlansAreas(t *testing.T) {
	c, srv, _ := setup(t)
	for _, tt := range []struct {
		area string
		want int
	}{{"", len(srv.Plans())}, {"欧洲", 3}, {"亚洲", 3}, {"全球", 2}, {"Europe", 3}, {"global", 2}, {"火星", 0}} {
		data, err := c.ListPlans(context.Background(), vshop.ListPlansRequest{
			Area: tt.area, DeviceCode: CardValid, LanguageCode: "1", Mark: "0", Terminal: "0"})
		if err != nil {
			t.Fatalf("area %q: %v", tt.area, err)
		}
		plans := data
		if len(plans.Plans) != tt.want || plans.Plans == nil {
			t.Errorf("area %q: %d plans, want %d", tt.area, len(plans.Plans), tt.want)
		}
	}
}

// tradeTypes maps each path to a tradeType for the raw requests (the sandbox does not check it).
var tradeTypes = map[string]string{
	"/singleVerify": "singleVerify", "/singleServicePlanPage": "singleServicePlanPage", "/singleOrder": "singleOrder",
	"/singleQueryOrder": "singleQueryOrder", "/queryAutoRenewalRecord": "queryAutoRenewalRecord",
	"/cancelAutoRenewalRecord": "cancelAutoRenewalRecord", "/synPartner/SynOrderInfo": "SynOrderInfo",
}

// body is a request body for path with the global fields, deviceCode CardValid and the given changes
// (a nil value removes the field), signed unless unsigned is set.
func body(t testing.TB, path string, changes map[string]any, unsigned bool) []byte {
	t.Helper()
	m := map[string]any{
		"deviceCode": CardValid, "languageCode": "1", "mark": "0", "partnerCode": "P000270", "terminal": "0",
		"tradeTime": "1768442400000", "tradeType": tradeTypes[path], "version": "3.0",
	}
	switch path {
	case "/singleOrder":
		m["packageCode"], m["servicePlanCode"], m["orderPeriod"], m["payAmount"], m["payCurrency"] =
			"PACKAGE20180428000007", "SP-EU-1GB-30D", "1", "4.99", "USD"
	case "/synPartner/SynOrderInfo":
		m["packageCode"], m["orderNo"], m["payId"], m["orderPeriod"], m["payAmount"], m["payCurrency"], m["payRst"] =
			"DP20190726001274", "NO2023060915590562022", "P000000002022", "1", "12.36", "GBP", "SUCCESS"
	case "/cancelAutoRenewalRecord":
		m["payId"], m["orderNo"] = "P000270000", "NO000"
	}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if unsigned {
		return b
	}
	sign, err := signing.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	m["sign"] = sign
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	return b
}

// reply is what the raw tests read from an answer.
type reply struct {
	status int
	header http.Header
	env    map[string]any
	raw    []byte
}

func send(t *testing.T, method, url, contentType string, b []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &r.env); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, raw)
	}
	return r
}

// TestBadRequests sends raw bytes and checks each failure's status and envelope.
func TestBadRequests(t *testing.T) {
	type step struct{ path, body string }
	tests := []struct {
		name        string
		method      string // default POST
		path        string
		contentType string // default application/json; "-" sends none
		body        []byte
		before      []step // requests sent first (must succeed)
		status      int
		message     string // a substring of the message
	}{
		{name: "bad sign", path: "/singleVerify",
			body:   bytes.Replace(body(t, "/singleVerify", map[string]any{"url": "https://dist.linksfield.net/login"}, false), []byte(`"url":"https://dist`), []byte(`"url":"http://dist`), 1),
			status: 401, message: "sign: does not match the body"},
		{name: "sign of another body", path: "/singleVerify",
			body:   body(t, "/singleVerify", map[string]any{"sign": "ea7a3bba7e345e0b8ca7f7e3b43d6e72"}, true),
			status: 401, message: "sign: does not match"},
		{name: "signed, but sent with escapes the signContent does not have", path: "/singleVerify",
			body:   body(t, "/singleVerify", map[string]any{"url": "https://x/?a=1&b=<2>"}, false), // json.Marshal writes \u0026 \u003c
			status: 401, message: "sign: matches the body's decoded values but not the text sent"},
		{name: "missing sign", path: "/singleVerify", body: body(t, "/singleVerify", nil, true),
			status: 401, message: "sign: missing"},
		{name: "empty sign", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"sign": ""}, true),
			status: 401, message: "sign: missing"},
		{name: "missing required field", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"deviceCode": nil}, false),
			status: 400, message: "deviceCode: is required"},
		{name: "empty required field", path: "/queryAutoRenewalRecord", body: body(t, "/queryAutoRenewalRecord", map[string]any{"terminal": ""}, false),
			status: 400, message: "terminal: must be one of"},
		{name: "empty deviceCode", path: "/singleQueryOrder", body: body(t, "/singleQueryOrder", map[string]any{"deviceCode": ""}, false),
			status: 400, message: "deviceCode: must "},
		{name: "deviceCode with letters", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"deviceCode": "8985ABC"}, false),
			status: 400, message: "deviceCode: must match ^[0-9]+$"},
		{name: "unknown enum value", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"languageCode": "99"}, false),
			status: 400, message: `languageCode: must be one of "0", "1"`},
		{name: "number for a string", path: "/singleOrder", body: body(t, "/singleOrder", map[string]any{"orderPeriod": 1}, false),
			status: 400, message: "orderPeriod: must be a JSON string"},
		{name: "field name in the wrong case", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"DEVICECODE": "8100000000012000423"}, false),
			status: 400, message: "DEVICECODE: unknown field (field names are case-sensitive): did you mean deviceCode?"},
		{name: "unknown device", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"deviceCode": "89000000000000000000"}, false),
			status: 404, message: "unknown device 89000000000000000000"},
		{name: "malformed JSON", path: "/singleVerify", body: []byte(`{"deviceCode":"89852420180910340793",`),
			status: 400, message: "the body is not a valid JSON object"},
		{name: "empty body", path: "/singleVerify", body: nil, status: 400, message: "body is empty"},
		{name: "JSON array", path: "/singleVerify", body: []byte(`[{"sign":"x"}]`), status: 400, message: "not a JSON object"},
		{name: "not Linksfield card with mark 0", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"deviceCode": CardNotLinksfield}, false),
			status: 422, message: `not a Linksfield card: send mark "1"`},
		{name: "deactivated card", path: "/singleVerify", body: body(t, "/singleVerify", map[string]any{"deviceCode": CardDeactivated, "mark": "1"}, false),
			status: 403, message: "deactivated"},
		{name: "unknown plan", path: "/singleOrder", body: body(t, "/singleOrder", map[string]any{"packageCode": "PACKAGE-NOPE"}, false),
			status: 422, message: `packageCode: no plan "PACKAGE-NOPE"`},
		{name: "plan with the wrong servicePlanCode", path: "/singleOrder", body: body(t, "/singleOrder", map[string]any{"servicePlanCode": "string"}, false),
			status: 422, message: `servicePlanCode: plan PACKAGE20180428000007 has servicePlanCode "SP-EU-1GB-30D", not "string"`},
		{name: "order period too long", path: "/singleOrder", body: body(t, "/singleOrder", map[string]any{"orderPeriod": "99999999999999999999"}, false),
			status: 422, message: "orderPeriod:"},
		{name: "third-party payment not successful", path: "/synPartner/SynOrderInfo", body: body(t, "/synPartner/SynOrderInfo", map[string]any{"payRst": "FAIL"}, false),
			status: 422, message: `payRst: is "FAIL"`},
		{name: "conflicting repeat", path: "/singleOrder",
			before: []step{{"/singleOrder", string(body(t, "/singleOrder", map[string]any{"orderNo": "NO1"}, false))}},
			body:   body(t, "/singleOrder", map[string]any{"orderNo": "NO1", "payAmount": "5.99"}, false),
			status: 409, message: `orderNo NO1 already identifies a different order (its payAmount is "4.99", this request's "5.99")`},
		{name: "orderNo of a third-party payment", path: "/singleOrder",
			before: []step{{"/synPartner/SynOrderInfo", string(body(t, "/synPartner/SynOrderInfo", nil, false))}},
			body:   body(t, "/singleOrder", map[string]any{"orderNo": "NO2023060915590562022"}, false),
			status: 409, message: "it was created through /synPartner/SynOrderInfo"},
		{name: "cancel what is not there", path: "/cancelAutoRenewalRecord", body: body(t, "/cancelAutoRenewalRecord", nil, false),
			status: 404, message: "no auto-renewal with payId P000270000 and orderNo NO000"},
		{name: "wrong method", method: http.MethodGet, path: "/singleVerify", contentType: "-", status: 405, message: "method GET is not allowed on /singleVerify"},
		{name: "wrong method with a body", method: http.MethodPut, path: "/singleOrder", body: body(t, "/singleOrder", nil, false),
			status: 405, message: "method PUT"},
		{name: "unknown path", path: "/singleVerifyX", body: body(t, "/singleVerify", nil, false), status: 404, message: `unknown path "/singleVerifyX"`},
		{name: "base URL prefix", path: "/vshop/singleVerify", body: body(t, "/singleVerify", nil, false), status: 404, message: "unknown path"},
		{name: "root", method: http.MethodGet, path: "/", status: 404, message: "POST /singleVerify"},
		{name: "wrong content type", path: "/singleVerify", contentType: "text/plain", body: body(t, "/singleVerify", nil, false),
			status: 415, message: `Content-Type "text/plain"`},
		{name: "body too large", path: "/singleVerify",
			body:   body(t, "/singleVerify", map[string]any{"url": strings.Repeat("x", 1<<20)}, false),
			status: 413, message: "larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv, _ := setup(t)
			for _, st := range tt.before {
				if r := send(t, http.MethodPost, srv.URL+st.path, "application/json", []byte(st.body)); r.status != 200 {
					t.Fatalf("before: %s answered %d %s", st.path, r.status, r.raw)
				}
			}
			method, ct := tt.method, tt.contentType
			if method == "" {
				method = http.MethodPost
			}
			switch ct {
			case "":
				ct = "application/json"
			case "-":
				ct = ""
			}
			r := send(t, method, srv.URL+tt.path, ct, tt.body)
			if r.status != tt.status {
				t.Errorf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if got := r.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			msg, _ := r.env["message"].(string)
			if r.env["operateCode"] != "F" || len(r.env) != 2 || !strings.Contains(msg, tt.message) {
				t.Errorf("envelope %s, want operateCode F and a message containing %q", r.raw, tt.message)
			}
			if tt.status == 405 && r.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", r.header.Get("Allow"))
			}
		})
	}
}

// TestDocumentedExamples sends the spec's signed request examples as they are, each to a fake whose
// clock is at the example's tradeTime: both verify.
func TestDocumentedExamples(t *testing.T) {
	for path, b := range map[string]string{
		"/singleVerify":          `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`,
		"/singleServicePlanPage": "{\n  \"area\": \"欧洲\",\n  \"deviceCode\": \"89852420180910340793\",\n  \"languageCode\": \"1\",\n  \"mark\": \"0\",\n  \"partnerCode\": \"P000270\",\n  \"sign\": \"3fdb15332726c77cd792ea2328f98a80\",\n  \"terminal\": \"0\",\n  \"tradeTime\": \"1645782486394\",\n  \"tradeType\": \"singleServicePlanPage\",\n  \"version\": \"3.0\"\n}",
	} {
		var tt struct{ TradeTime string }
		if err := json.Unmarshal([]byte(b), &tt); err != nil {
			t.Fatal(err)
		}
		srv := NewServer(t, WithClock(clockAt(t, tt.TradeTime)))
		if r := send(t, http.MethodPost, srv.URL+path, "", []byte(b)); r.status != 200 || r.env["operateCode"] != "S" {
			t.Errorf("%s: %d %s", path, r.status, r.raw)
		}
	}
}

// clockAt is a fixed clock at tradeTime, epoch milliseconds.
func clockAt(t *testing.T, tradeTime string) func() time.Time {
	t.Helper()
	var ms int64
	if _, err := fmt.Sscan(tradeTime, &ms); err != nil {
		t.Fatalf("tradeTime %q: %v", tradeTime, err)
	}
	return func() time.Time { return time.UnixMilli(ms) }
}

// TestSyncExampleAsDocumented sends the spec's /synPartner/SynOrderInfo example, which keeps the
// documented `"languageCode":""` and `"orgOrderId":""`: it is accepted and creates the order.
func TestSyncExampleAsDocumented(t *testing.T) {
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	example := doc.Paths.Find("/synPartner/SynOrderInfo").Post.RequestBody.Value.Content.Get("application/json").Example
	body, err := json.Marshal(example)
	if err != nil {
		t.Fatal(err)
	}
	tradeTime, _ := example.(map[string]any)["tradeTime"].(string)
	srv := NewServer(t, WithClock(clockAt(t, tradeTime)))
	if !strings.Contains(string(body), `"languageCode":""`) {
		t.Fatalf("the spec's example no longer sends the documented empty languageCode: %s", body)
	}
	r := send(t, http.MethodPost, srv.URL+"/synPartner/SynOrderInfo", "", body)
	data, _ := r.env["data"].(map[string]any)
	if r.status != 200 || r.env["operateCode"] != "S" || data["orderNo"] != "NO2023060915590562022" || data["payId"] != "P000000002022" {
		t.Errorf("%d %s", r.status, r.raw)
	}
}

// TestWithClockNil checks that the fake refuses a nil clock.
func TestWithClockNil(t *testing.T) {
	if _, err := newMall(WithClock(nil)); err == nil || !strings.Contains(err.Error(), "WithClock") {
		t.Fatalf("newMall(WithClock(nil)) error = %v", err)
	}
}

// TestCardsAndPlans checks the seed lists.
func TestCardsAndPlans(t *testing.T) {
	s := NewServer(t)
	cards := s.Cards()
	want := []string{CardValid, CardValid2, CardWithOrders, CardWithAutoRenewals, CardValid3, CardNotLinksfield, CardDeactivated, CardNoPartner}
	if len(cards) != len(want) {
		t.Fatalf("%d cards, want %d", len(cards), len(want))
	}
	for i, c := range cards {
		if c.ICCID != want[i] || c.Note == "" || c.Linksfield != (c.ICCID != CardNotLinksfield) {
			t.Errorf("card %d = %+v", i, c)
		}
	}
	cards[0].ICCID = "changed"
	if s.Cards()[0].ICCID != CardValid {
		t.Error("Cards returns the sandbox's own slice")
	}
	seen := map[string]bool{}
	for _, p := range s.Plans() {
		if seen[p.PackageCode] || !p.PackageType.Valid() || p.ServicePlanCode == "" || p.PayAmount == "" || p.PayCurrency == "" {
			t.Errorf("plan %+v", p)
		}
		seen[p.PackageCode] = true
	}
}

// TestConcurrent orders, repeats and cancels from many goroutines for the same and different cards,
// and checks that exactly the expected orders and auto-renewals remain. Run it with -race.
func TestConcurrent(t *testing.T) {
	c, _, _ := setup(t)
	ctx := context.Background()
	lang, mark, term, _ := common("")
	cards := []string{CardValid, CardValid2, CardValid3}
	const (
		orderNos = 30 // distinct orderNos, each requested by `repeats` goroutines
		repeats  = 4
		unnamed  = 10 // orders without orderNo or payId, all on cards[0]
	)
	type spec struct {
		orderNo, device string
		autoRenew       bool
	}
	specs := make([]spec, orderNos)
	for j := range specs {
		specs[j] = spec{orderNo: fmt.Sprintf("NO-RACE-%02d", j), device: cards[j%len(cards)], autoRenew: j%2 == 0}
	}
	request := func(sp spec, amount string) vshop.CreateOrderRequest {
		ar := vshop.AutoRenewalOff
		if sp.autoRenew {
			ar = vshop.AutoRenewalOn
		}
		return vshop.CreateOrderRequest{AutoRenewal: ar, DeviceCode: sp.device, LanguageCode: lang, Mark: mark, Terminal: term,
			OrderNo: sp.orderNo, OrderPeriod: "1", PackageCode: "PACKAGE20180428000007", ServicePlanCode: "SP-EU-1GB-30D",
			PayAmount: amount, PayCurrency: "USD"}
	}

	// Phase 1: create, with identical repeats racing each other.
	var mu sync.Mutex
	payIDs := map[string]map[string]bool{} // orderNo -> payIds answered
	var wg sync.WaitGroup
	errs := make(chan error, orderNos*repeats*3+unnamed)
	for j := range orderNos * repeats {
		wg.Go(func() {
			sp := specs[j%orderNos]
			o, err := c.CreateOrder(ctx, request(sp, "4.99"))
			if err != nil {
				errs <- fmt.Errorf("create %s: %w", sp.orderNo, err)
				return
			}
			mu.Lock()
			if payIDs[o.OrderNo] == nil {
				payIDs[o.OrderNo] = map[string]bool{}
			}
			payIDs[o.OrderNo][o.PayId] = true
			mu.Unlock()
		})
	}
	for range unnamed {
		wg.Go(func() {
			o, err := c.CreateOrder(ctx, request(spec{device: cards[0]}, "4.99"))
			if err != nil {
				errs <- fmt.Errorf("create without orderNo: %w", err)
				return
			}
			mu.Lock()
			payIDs[o.OrderNo] = map[string]bool{o.PayId: true}
			mu.Unlock()
		})
	}
	wg.Wait()
	for len(errs) > 0 {
		t.Error(<-errs)
	}
	if len(payIDs) != orderNos+unnamed {
		t.Fatalf("%d distinct orders answered, want %d", len(payIDs), orderNos+unnamed)
	}
	allPayIDs := map[string]bool{}
	for no, ids := range payIDs {
		if len(ids) != 1 {
			t.Errorf("orderNo %s answered %d payIds: %v", no, len(ids), ids)
		}
		for id := range ids {
			allPayIDs[id] = true
		}
	}
	if len(allPayIDs) != orderNos+unnamed {
		t.Errorf("%d distinct payIds, want %d", len(allPayIDs), orderNos+unnamed)
	}

	// Phase 2: cancel some auto-renewals three times each, while conflicting and identical repeats race.
	cancelled := map[string]bool{}
	var cancelOK, cancel404, conflicts int
	for j, sp := range specs {
		if sp.autoRenew && j%4 == 0 {
			cancelled[sp.orderNo] = true
			var payID string
			for id := range payIDs[sp.orderNo] {
				payID = id
			}
			for range 3 {
				wg.Go(func() {
					_, err := c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{DeviceCode: sp.device,
						LanguageCode: lang, Mark: mark, Terminal: term, PayId: payID, OrderNo: sp.orderNo})
					var apiErr *vshop.APIError
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						cancelOK++
					case errors.As(err, &apiErr) && apiErr.StatusCode == 404:
						cancel404++
					default:
						errs <- fmt.Errorf("cancel %s: %w", sp.orderNo, err)
					}
				})
			}
		}
		wg.Go(func() {
			_, err := c.CreateOrder(ctx, request(sp, "5.99"))
			var apiErr *vshop.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 {
				errs <- fmt.Errorf("conflicting repeat of %s: %v", sp.orderNo, err)
				return
			}
			mu.Lock()
			conflicts++
			mu.Unlock()
		})
		wg.Go(func() {
			o, err := c.CreateOrder(ctx, request(sp, "4.99"))
			if err != nil || !payIDs[sp.orderNo][o.PayId] {
				errs <- fmt.Errorf("identical repeat of %s: %+v, %v", sp.orderNo, o, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if cancelOK != len(cancelled) || cancel404 != 2*len(cancelled) || conflicts != orderNos {
		t.Errorf("cancels: %d ok, %d not found (want %d, %d); conflicts %d (want %d)",
			cancelOK, cancel404, len(cancelled), 2*len(cancelled), conflicts, orderNos)
	}

	// Exactly the expected state.
	for i, dev := range cards {
		wantOrders, wantRenewals := 0, map[string]bool{}
		for _, sp := range specs {
			if sp.device == dev {
				wantOrders++
				if sp.autoRenew && !cancelled[sp.orderNo] {
					wantRenewals[sp.orderNo] = true
				}
			}
		}
		if i == 0 {
			wantOrders += unnamed
		}
		list, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
			DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term})
		if err != nil {
			t.Fatal(err)
		}
		inUse := 0
		for _, o := range list.OrderList {
			if o.OrderStatus == vshop.OrderStatusInUse {
				inUse++
			}
		}
		if len(list.OrderList) != wantOrders || inUse != 1 || list.OrderList[0].OrderStatus != vshop.OrderStatusInUse {
			t.Errorf("%s: %d orders (%d in use), want %d (1 in use, first)", dev, len(list.OrderList), inUse, wantOrders)
		}
		recs, err := c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{
			DeviceCode: dev, LanguageCode: lang, Mark: mark, Terminal: term})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range recs {
			got[r.OrderNo] = true
			if !payIDs[r.OrderNo][r.PayId] {
				t.Errorf("%s: auto-renewal %+v has a payId the order was not given", dev, r)
			}
		}
		if len(recs) != len(wantRenewals) || fmt.Sprint(got) != fmt.Sprint(wantRenewals) {
			t.Errorf("%s: auto-renewals %v, want %v", dev, got, wantRenewals)
		}
	}
}
