package vshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/signing"
)

// mall is a loopback test server that checks every request the way Linksfield would (sign recomputed
// from the raw bytes, body validated against the spec) and answers with the operation's documented
// response example.
type mall struct {
	t      *testing.T
	router routers.Router // kin-openapi, used directly: independent of the client's own validator
	mu     sync.Mutex
	bodies map[string][][]byte // raw bodies received, by path
}

func (m *mall) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		m.t.Errorf("reading body: %v", err)
		return
	}
	m.mu.Lock()
	m.bodies[r.URL.Path] = append(m.bodies[r.URL.Path], raw)
	m.mu.Unlock()
	if err := signing.Verify(raw); err != nil {
		m.t.Errorf("%s: the server could not verify the sign: %v\n%s", r.URL.Path, err, raw)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err := m.validate(r, raw); err != nil {
		m.t.Errorf("%s: request breaks the spec: %v\n%s", r.URL.Path, err, raw)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(documentedReply(m.t, r.URL.Path))
}

// validate checks the request against the spec with kin-openapi's own request validation, on a copy
// of the raw bytes (the spec's paths are matched without the base URL's /vshop or /moved prefix).
func (m *mall) validate(r *http.Request, raw []byte) error {
	path := r.URL.Path
	if i := strings.IndexByte(path[1:], '/'); i >= 0 && !strings.HasPrefix(path, "/synPartner/") {
		path = path[i+1:]
	}
	req, err := http.NewRequest(r.Method, "http://mall.test"+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	route, params, err := m.router.FindRoute(req)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{SkipSettingDefaults: true},
	})
}

func (m *mall) received(path string) [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bodies[path]
}

// documentedReplies caches documentedReply by path: loading the spec takes milliseconds.
var documentedReplies sync.Map

// documentedReply is the spec's 200 example for the operation at path (its example, or else its
// first named example, such as the sandbox's answer where Linksfield documents none), or a bare
// success envelope.
func documentedReply(t testing.TB, path string) []byte {
	if b, ok := documentedReplies.Load(path); ok {
		return b.([]byte)
	}
	b := loadDocumentedReply(t, path)
	documentedReplies.Store(path, b)
	return b
}

func loadDocumentedReply(t testing.TB, path string) []byte {
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	for p, item := range doc.Paths.Map() {
		if !strings.HasSuffix(path, p) {
			continue
		}
		mt := item.Post.Responses.Status(200).Value.Content["application/json"]
		ex := mt.Example
		if ex == nil {
			for _, name := range slices.Sorted(maps.Keys(mt.Examples)) { // the first named example
				ex = mt.Examples[name].Value.Value
				break
			}
		}
		if ex != nil {
			b, err := json.Marshal(ex)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	return []byte(`{"operateCode":"S","message":"success","data":{}}`)
}

// setup starts the test Mall and returns a client for it whose clock is fixed at tradeTime ms.
func setup(t *testing.T, partner string, tradeTime int64, opts ...Option) (*Client, *mall, *httptest.Server) {
	t.Helper()
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	m := &mall{t: t, router: router, bodies: map[string][][]byte{}}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithClock(func() time.Time { return time.UnixMilli(tradeTime) })}, opts...)
	c, err := NewClient(srv.URL+"/vshop", partner, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, m, srv
}

// TestOperations calls each of the seven operations through NewClient against the checking server and
// asserts the decoded typed result and the fields the client filled in.
func TestOperations(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		path      string
		tradeType string
		call      func(t *testing.T, c *Client)
	}{
		{"verifyCard", "/singleVerify", "singleVerify", func(t *testing.T, c *Client) {
			data, err := c.VerifyCard(ctx, VerifyCardRequest{
				DeviceCode: "89852420180910340793", LanguageCode: LanguageEnglish,
				Mark: MarkLinksfieldCard, Terminal: TerminalPC, Url: "https://dist.linksfield.net/login",
			})
			if err != nil || data["deviceCode"] != "89852420180910340793" || data["status"] != "valid" { // the example reply
				t.Fatalf("data %#v, err %v", data, err)
			}
		}},
		{"listPlans", "/singleServicePlanPage", "singleServicePlanPage", func(t *testing.T, c *Client) {
			data, err := c.ListPlans(ctx, ListPlansRequest{
				Area: "欧洲", DeviceCode: "89852420180910340793", LanguageCode: LanguageEnglish,
				Mark: MarkLinksfieldCard, Terminal: TerminalMobile,
			})
			if err != nil || data == nil || len(data.Plans) == 0 || data.Plans[0].PackageCode == "" {
				t.Fatalf("data %#v, err %v", data, err)
			}
		}},
		{"createOrder", "/singleOrder", "singleOrder", func(t *testing.T, c *Client) {
			order, err := c.CreateOrder(ctx, CreateOrderRequest{
				AutoRenewal: AutoRenewalOff, DeviceCode: "89860220190905123941", LanguageCode: LanguageChinese,
				Mark: MarkLinksfieldCard, OrderNo: "2020061214140465562", OrderPeriod: "1",
				PackageCode: "PACKAGE20180428000007", PayAmount: "4.99", PayCurrency: "USD",
				PayId: "P0008182020061214140465562", ServicePlanCode: "SP1", Terminal: TerminalMobile,
			})
			if err != nil {
				t.Fatal(err)
			}
			want := CreatedOrder{DeviceCode: "89860012018111220455", OrderNo: "2020061214140465562", PartnerCode: "P000270", PayId: "P0008182020061214140465562"}
			if order == nil || *order != want {
				t.Errorf("got %+v, want %+v", order, want)
			}
		}},
		{"listOrders", "/singleQueryOrder", "singleQueryOrder", func(t *testing.T, c *Client) {
			list, err := c.ListOrders(ctx, ListOrdersRequest{
				DeviceCode: "89852121501108205774", LanguageCode: LanguageEnglish,
				Mark: MarkLinksfieldCard, Terminal: TerminalMobile,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.OrderList) != 3 || list.OrderList[0].OrderStatus != OrderStatusInUse ||
				list.OrderList[0].ExpireDate != "2024-07-31" || list.OrderList[2].RemainingDays != "60" || list.DeviceCode != "89852121501108205774" {
				t.Errorf("got %+v", list)
			}
		}},
		{"listAutoRenewals", "/queryAutoRenewalRecord", "queryAutoRenewalRecord", func(t *testing.T, c *Client) {
			recs, err := c.ListAutoRenewals(ctx, ListAutoRenewalsRequest{
				DeviceCode: "8100000000012000423", LanguageCode: LanguageChinese,
				Mark: MarkLinksfieldCard, Terminal: TerminalMobile,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 || recs[1].PayId != "CU-7ZOIHX0RB16U2025032716555145910" || recs[0].PackageType != PackageTypeDaily || recs[0].SubscriptionTime != "2025.03.27" {
				t.Errorf("got %+v", recs)
			}
		}},
		{"cancelAutoRenewal", "/cancelAutoRenewalRecord", "cancelAutoRenewalRecord", func(t *testing.T, c *Client) {
			data, err := c.CancelAutoRenewal(ctx, CancelAutoRenewalRequest{
				DeviceCode: "89860220190905123941", LanguageCode: LanguageChinese, Mark: MarkLinksfieldCard,
				OrderNo: "NO2025032713303915052", PayId: "CU-7ZOIHX0RB16U2025032713303774502", Terminal: TerminalMobile,
			})
			if err != nil || data != nil { // the documented reply has no data
				t.Fatalf("data %#v, err %v", data, err)
			}
		}},
		{"syncThirdPartyOrder", "/synPartner/SynOrderInfo", "SynOrderInfo", func(t *testing.T, c *Client) {
			data, err := c.SyncThirdPartyOrder(ctx, SyncThirdPartyOrderRequest{
				AutoRenewal: AutoRenewalOff, DeviceCode: "89852420180910340793", Mark: MarkLinksfieldCard,
				OrderNo: "NO2023060915590562022", OrderPeriod: "1", PackageCode: "DP20190726001274", PayAccount: "1",
				PayAmount: "12.36", PayCurrency: "GBP", PayId: "P000000002022", PayResultDate: "2022-06-07 15:10:35",
				PayRst: "SUCCESS", PayStatus: "1", PayType: "3", Terminal: TerminalMobile,
			})
			if err != nil || data["orderNo"] != "NO2023060915590562022" || data["payId"] != "P000000002022" {
				t.Fatalf("data %#v, err %v", data, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m, _ := setup(t, "P000270", 1645683857572)
			tt.call(t, c)
			got := m.received("/vshop" + tt.path)
			if len(got) != 1 {
				t.Fatalf("server received %d requests, want 1", len(got))
			}
			var fields map[string]string
			if err := json.Unmarshal(got[0], &fields); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"partnerCode": "P000270", "version": "3.0", "tradeTime": "1645683857572", "tradeType": tt.tradeType}
			for k, v := range want {
				if fields[k] != v {
					t.Errorf("%s = %q, want %q", k, fields[k], v)
				}
			}
		})
	}
}

// TestDocumentedVectorsEndToEnd sends the two documented signed requests through the client with the
// documented clock and checks the server received exactly the documented sign.
func TestDocumentedVectorsEndToEnd(t *testing.T) {
	ctx := context.Background()
	c, m, _ := setup(t, "P000270", 1645683857572)
	if _, err := c.VerifyCard(ctx, VerifyCardRequest{
		DeviceCode: "89852420180910340793", LanguageCode: LanguageEnglish, Mark: MarkLinksfieldCard,
		Terminal: TerminalPC, Url: "https://dist.linksfield.net/login",
	}); err != nil {
		t.Fatal(err)
	}
	c2, m2, _ := setup(t, "P000270", 1645782486394)
	if _, err := c2.ListPlans(ctx, ListPlansRequest{
		Area: "欧洲", DeviceCode: "89852420180910340793", LanguageCode: LanguageEnglish,
		Mark: MarkLinksfieldCard, Terminal: TerminalMobile,
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m    *mall
		path string
		sign string
	}{{m, "/vshop/singleVerify", "ea7a3bba7e345e0b8ca7f7e3b43d6e72"}, {m2, "/vshop/singleServicePlanPage", "3fdb15332726c77cd792ea2328f98a80"}} {
		var body struct{ Sign string }
		if err := json.Unmarshal(tc.m.received(tc.path)[0], &body); err != nil {
			t.Fatal(err)
		}
		if body.Sign != tc.sign {
			t.Errorf("%s: sign %s, want the documented %s", tc.path, body.Sign, tc.sign)
		}
	}
}

// TestClientDefaults: languageCode, mark and terminal left empty in a request take the client's
// defaults (English, "0", "0" unless WithLanguage, WithMark, WithTerminal); set in the request, they win.
func TestClientDefaults(t *testing.T) {
	tests := []struct {
		name                     string
		opts                     []Option
		req                      ListOrdersRequest
		language, mark, terminal string
	}{
		{"defaults", nil, ListOrdersRequest{DeviceCode: "89852121501108205774"}, "1", "0", "0"},
		{"client options", []Option{WithLanguage(LanguageJapanese), WithMark(MarkOtherCard), WithTerminal(TerminalPC)},
			ListOrdersRequest{DeviceCode: "89852121501108205774"}, "7", "1", "1"},
		{"the request's values win", []Option{WithLanguage(LanguageJapanese), WithMark(MarkOtherCard), WithTerminal(TerminalPC)},
			ListOrdersRequest{DeviceCode: "89852121501108205774", LanguageCode: LanguageTraditionalChineseHongKong, Mark: MarkLinksfieldCard, Terminal: TerminalMobile},
			"11", "0", "0"},
		{"Chinese is a value, not the empty default", nil,
			ListOrdersRequest{DeviceCode: "89852121501108205774", LanguageCode: LanguageChinese}, "0", "0", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m, _ := setup(t, "P000270", 1645683857572, tt.opts...)
			if _, err := c.ListOrders(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			got := m.received("/vshop/singleQueryOrder")
			if len(got) != 1 {
				t.Fatalf("server received %d requests, want 1", len(got))
			}
			var f map[string]string
			if err := json.Unmarshal(got[0], &f); err != nil {
				t.Fatal(err)
			}
			if f["languageCode"] != tt.language || f["mark"] != tt.mark || f["terminal"] != tt.terminal {
				t.Errorf("sent languageCode %q mark %q terminal %q, want %q %q %q", f["languageCode"], f["mark"], f["terminal"], tt.language, tt.mark, tt.terminal)
			}
		})
	}
}

// TestRedirectKeepsSignedBody follows a 307 and checks the second server gets the same signed bytes.
func TestRedirectKeepsSignedBody(t *testing.T) {
	_, m, srv := setup(t, "P000270", 1645683857572)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, srv.URL+"/moved"+strings.TrimPrefix(r.URL.Path, "/old"), http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	c, err := NewClient(redirector.URL+"/old", "P000270", WithClock(func() time.Time { return time.UnixMilli(1645683857572) }),
		WithRedirectHosts(srv.Listener.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := c.ListAutoRenewals(context.Background(), renewalsRequest)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Errorf("got %d records, want 2", len(recs))
	}
	got := m.received("/moved/queryAutoRenewalRecord")
	if len(got) != 1 || signing.Verify(got[0]) != nil || !bytes.Contains(got[0], []byte(`"sign":"`)) {
		t.Fatalf("after the redirect the server got %q", got)
	}
}

// TestReplyErrors checks answers other than a success envelope become errors a caller can act on: an
// *APIError for a failure or a non-2xx status, a *DecodeError (naming the field where one is to blame)
// for an answer that cannot be read, or could be read two ways.
func TestReplyErrors(t *testing.T) {
	listOrders := func(ctx context.Context, c *Client) error {
		_, err := c.ListOrders(ctx, ListOrdersRequest{DeviceCode: "89852121501108205774"})
		return err
	}
	const renewal = `{"partnerCode":"P1","deviceCode":"8100000000012000423","payId":"P1","orderNo":"NO1","servicePlanShowName":"x","orderPeriod":"1","packageType":"1","subscriptionTime":"2025.03.27"}`
	tests := []struct {
		name        string
		call        func(context.Context, *Client) error // nil: listRenewals
		op          string                               // nil call: listAutoRenewals
		status      int
		contentType string
		body        string
		wantAPI     *APIError // nil: want a *DecodeError
		wantField   string    // the *DecodeError's Field
		wantMsg     string    // in the *DecodeError's message
	}{
		{name: "failure envelope", status: 200, contentType: "application/json", body: `{"operateCode":"F","message":"card not found"}`,
			wantAPI: &APIError{StatusCode: 200, OperateCode: "F", Message: "card not found"}},
		{name: "failure envelope with 400", status: 400, contentType: "application/json", body: `{"operateCode":"F","message":"deviceCode: is required"}`,
			wantAPI: &APIError{StatusCode: 400, OperateCode: "F", Message: "deviceCode: is required"}},
		{name: "failure envelope with data of any type", status: 200, contentType: "application/json", body: `{"operateCode":"F","message":"no","data":"oops"}`,
			wantAPI: &APIError{StatusCode: 200, OperateCode: "F", Message: "no"}},
		{name: "a success envelope with HTTP 400", status: 400, contentType: "application/json", body: `{"operateCode":"S","message":"success","data":[]}`,
			wantAPI: &APIError{StatusCode: 400, OperateCode: "S", Message: "success"}},
		{name: "500 without envelope", status: 500, contentType: "text/plain", body: "boom", wantAPI: &APIError{StatusCode: 500}},
		{name: "HTML page", status: 200, contentType: "text/html", body: "<html><body>Bad gateway</body></html>", wantMsg: "the Content-Type is not JSON"},
		{name: "truncated JSON", status: 200, contentType: "application/json", body: `{"operateCode":"S","data":[{"payId":`, wantMsg: "invalid or truncated JSON"},
		{name: "JSON without envelope", status: 200, contentType: "application/json", body: `{"payId":"x"}`, wantMsg: "the body has no operateCode"},
		{name: "operateCode twice, failure first", status: 200, contentType: "application/json",
			body: `{"operateCode":"F","message":"card not found","operateCode":"S","data":[` + renewal + `]}`, wantMsg: `the key "operateCode" appears twice`},
		{name: "data twice", status: 200, contentType: "application/json",
			body: `{"operateCode":"S","data":[],"data":[` + renewal + `]}`, wantMsg: `the key "data" appears twice`},
		{name: "OPERATECODE", status: 200, contentType: "application/json", body: `{"OPERATECODE":"S"}`,
			wantMsg: `the key "OPERATECODE" differs from "operateCode" only in case`},
		{name: "Data beside data", status: 200, contentType: "application/json", body: `{"operateCode":"S","data":[],"Data":[` + renewal + `]}`,
			wantMsg: `the key "Data" differs from "data" only in case`},
		{name: "message spelt with a long s", status: 200, contentType: "application/json", body: `{"operateCode":"S","meſſage":"x","data":[]}`,
			wantMsg: `the key "meſſage" differs from "message" only in case`},
		{name: "operateCode twice, once escaped", status: 200, contentType: "application/json", body: `{"operateCode":"S","operate\u0043ode":"F"}`,
			wantMsg: `the key "operateCode" appears twice`},
		{name: "an escaped case variant", status: 200, contentType: "application/json", body: `{"operateCode":"S","\u006fperatecode":"F"}`,
			wantMsg: `the key "operatecode" differs from "operateCode" only in case`},
		{name: "operateCode not a string", status: 200, contentType: "application/json", body: `{"operateCode":1}`, wantMsg: "operateCode is 1, not a JSON string"},
		{name: "message not a string", status: 200, contentType: "application/json", body: `{"operateCode":"S","message":42,"data":[]}`, wantMsg: "message is 42, not a JSON string"},
		{name: "data of the wrong type", status: 200, contentType: "application/json", body: `{"operateCode":"S","data":{"payId":"x"}}`,
			wantField: "data", wantMsg: "data: json: cannot unmarshal object"},
		{name: "listOrders: orderList of the wrong type", call: listOrders, op: "listOrders", status: 200, contentType: "application/json",
			body: `{"operateCode":"S","data":{"deviceCode":"89852121501108205774","orderList":"x"}}`, wantField: "data.orderList", wantMsg: "data.orderList: json: cannot unmarshal string"},
		{name: "listOrders: an order's field of the wrong type", call: listOrders, op: "listOrders", status: 200, contentType: "application/json",
			body: `{"operateCode":"S","data":{"orderList":[{"orderStatus":"2"},{"orderStatus":2}]}}`, wantField: "data.orderList.1.orderStatus", wantMsg: "cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, err := NewClient(srv.URL, "P000270", withSleep(noSleep))
			if err != nil {
				t.Fatal(err)
			}
			call, op := tt.call, tt.op
			if call == nil {
				call, op = listRenewals, "listAutoRenewals"
			}
			err = call(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			if tt.wantAPI != nil {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("got %T %v, want *APIError", err, err)
				}
				if ae.StatusCode != tt.wantAPI.StatusCode || ae.OperateCode != tt.wantAPI.OperateCode || ae.Message != tt.wantAPI.Message ||
					ae.Operation != op || string(ae.Body) != tt.body {
					t.Errorf("got %+v", ae)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Operation != op || !strings.Contains(err.Error(), "body starts") {
				t.Fatalf("got %T %v, want *DecodeError naming the operation", err, err)
			}
			if !sameField(de.Field, tt.wantField) || de.StatusCode != tt.status || de.ContentType != tt.contentType || de.Err == nil {
				t.Errorf("got Field %q StatusCode %d ContentType %q Err %v, want Field %q", de.Field, de.StatusCode, de.ContentType, de.Err, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %q, want it to contain %q", err, tt.wantMsg)
			}
			var ae *APIError
			if errors.As(err, &ae) {
				t.Errorf("an ambiguous or unreadable answer is also an *APIError: %v", ae)
			}
		})
	}
}

func TestNewClientRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name, base, partner string
		opts                []Option
		want                string
	}{
		{"relative URL", "/vshop", "P000270", nil, "want an absolute http or https URL"},
		{"ftp URL", "ftp://x/vshop", "P000270", nil, "want an absolute http or https URL"},
		{"empty partner", ProductionURL, " ", nil, "partnerCode is empty"},
		{"nil HTTP client", ProductionURL, "P000270", []Option{WithHTTPClient(nil)}, "WithHTTPClient"},
		{"nil clock", ProductionURL, "P000270", []Option{WithClock(nil)}, "WithClock"},
		{"empty version", ProductionURL, "P000270", []Option{WithVersion("")}, "WithVersion"},
		{"version not UTF-8", ProductionURL, "P000270", []Option{WithVersion("3.\xff")}, "WithVersion"},
		{"partner not UTF-8", ProductionURL, "P\xff", nil, "is not valid UTF-8"},
		{"URL without a host", "https:///vshop", "P000270", nil, "want an absolute http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.base, tt.partner, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestMallValidationBites shows the test server's own spec check rejects what the spec forbids, so
// TestOperations' server-side validation can fail.
func TestMallValidationBites(t *testing.T) {
	_, m, _ := setup(t, "P000270", 1645683857572)
	const valid = `{"deviceCode":"8100000000012000423","languageCode":"0","mark":"0","partnerCode":"P000270","terminal":"0","tradeTime":"1645683857572","tradeType":"queryAutoRenewalRecord","version":"3.0","sign":"481e1335274f43b0070fcd94e0449fae"}`
	for _, tt := range []struct {
		name, path, body string
		ok               bool
	}{
		{"valid", "/vshop/queryAutoRenewalRecord", valid, true},
		{"letters in deviceCode", "/vshop/queryAutoRenewalRecord", strings.Replace(valid, "8100000000012000423", "81ab", 1), false},
		{"cancel without payId", "/vshop/cancelAutoRenewalRecord", valid, false},
		{"nested path", "/vshop/synPartner/SynOrderInfo", valid, false},
	} {
		r := httptest.NewRequest(http.MethodPost, tt.path, nil)
		r.Header.Set("Content-Type", "application/json")
		if err := m.validate(r, []byte(tt.body)); (err == nil) != tt.ok {
			t.Errorf("%s: validate error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
