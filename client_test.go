package vshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
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

// documentedReply is the spec's 200 example for the operation at path, or a bare success envelope
// where Linksfield documents none.
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
		if ex := item.Post.Responses.Status(200).Value.Content["application/json"].Example; ex != nil {
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
func setup(t *testing.T, partner string, tradeTime int64) (*generated.ClientWithResponses, *mall, *httptest.Server) {
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
	c, err := NewClient(srv.URL+"/vshop", partner, WithClock(func() time.Time { return time.UnixMilli(tradeTime) }))
	if err != nil {
		t.Fatal(err)
	}
	return c, m, srv
}

// TestOperations calls each of the seven operations through NewClient against the checking server and
// asserts the decoded typed result.
func TestOperations(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		path string
		call func(t *testing.T, c *generated.ClientWithResponses)
	}{
		{"verifyCard", "/singleVerify", func(t *testing.T, c *generated.ClientWithResponses) {
			resp, err := c.VerifyCardWithResponse(ctx, generated.VerifyCardRequest{
				DeviceCode: "89852420180910340793", LanguageCode: generated.LanguageEnglish,
				Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalPC, Url: "https://dist.linksfield.net/login",
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.JSON200 == nil || resp.JSON200.OperateCode != "S" || resp.JSON200.Data == nil {
				t.Fatalf("got %+v", resp.JSON200)
			}
		}},
		{"listPlans", "/singleServicePlanPage", func(t *testing.T, c *generated.ClientWithResponses) {
			data, err := Data[generated.OpenData](c.ListPlansWithResponse(ctx, generated.ListPlansRequest{
				Area: "欧洲", DeviceCode: "89852420180910340793", LanguageCode: generated.LanguageEnglish,
				Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
			}))
			if err != nil || data == nil {
				t.Fatalf("data %v, err %v", data, err)
			}
		}},
		{"createOrder", "/singleOrder", func(t *testing.T, c *generated.ClientWithResponses) {
			order, err := Data[generated.CreatedOrder](c.CreateOrderWithResponse(ctx, generated.CreateOrderRequest{
				AutoRenewal: generated.AutoRenewalOff, DeviceCode: "89860220190905123941", LanguageCode: generated.LanguageChinese,
				Mark: generated.MarkLinksfieldCard, OrderNo: "2020061214140465562", OrderPeriod: "1",
				PackageCode: "PACKAGE20180428000007", PayAmount: "4.99", PayCurrency: "USD",
				PayId: "P0008182020061214140465562", ServicePlanCode: "SP1", Terminal: generated.TerminalMobile,
			}))
			if err != nil {
				t.Fatal(err)
			}
			want := generated.CreatedOrder{DeviceCode: "89860012018111220455", OrderNo: "2020061214140465562", PartnerCode: "P000270", PayId: "P0008182020061214140465562"}
			if order != want {
				t.Errorf("got %+v, want %+v", order, want)
			}
		}},
		{"listOrders", "/singleQueryOrder", func(t *testing.T, c *generated.ClientWithResponses) {
			list, err := Data[generated.OrderList](c.ListOrdersWithResponse(ctx, generated.ListOrdersRequest{
				DeviceCode: "89852121501108205774", LanguageCode: generated.LanguageEnglish,
				Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if len(list.OrderList) != 3 || list.OrderList[0].OrderStatus != generated.OrderStatusInUse ||
				list.OrderList[0].ExpireDate != "2024-07-31" || list.OrderList[2].RemainingDays != "60" || list.DeviceCode != "89852121501108205774" {
				t.Errorf("got %+v", list)
			}
		}},
		{"listAutoRenewals", "/queryAutoRenewalRecord", func(t *testing.T, c *generated.ClientWithResponses) {
			recs, err := Data[[]generated.AutoRenewalRecord](c.ListAutoRenewalsWithResponse(ctx, generated.ListAutoRenewalsRequest{
				DeviceCode: "8100000000012000423", LanguageCode: generated.LanguageChinese,
				Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 || recs[1].PayId != "CU-7ZOIHX0RB16U2025032716555145910" || recs[0].PackageType != generated.PackageTypeDaily || recs[0].SubscriptionTime != "2025.03.27" {
				t.Errorf("got %+v", recs)
			}
		}},
		{"cancelAutoRenewal", "/cancelAutoRenewalRecord", func(t *testing.T, c *generated.ClientWithResponses) {
			resp, err := c.CancelAutoRenewalWithResponse(ctx, generated.CancelAutoRenewalRequest{
				DeviceCode: "89860220190905123941", LanguageCode: generated.LanguageChinese, Mark: generated.MarkLinksfieldCard,
				OrderNo: "NO2025032713303915052", PayId: "CU-7ZOIHX0RB16U2025032713303774502", Terminal: generated.TerminalMobile,
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.JSON200 == nil || resp.JSON200.OperateCode != "S" || resp.JSON200.Message != "success" {
				t.Fatalf("got %+v", resp.JSON200)
			}
		}},
		{"syncThirdPartyOrder", "/synPartner/SynOrderInfo", func(t *testing.T, c *generated.ClientWithResponses) {
			data, err := Data[generated.OpenData](c.SyncThirdPartyOrderWithResponse(ctx, generated.SyncThirdPartyOrderRequest{
				AutoRenewal: generated.AutoRenewalOff, DeviceCode: "89852420180910340793", Mark: generated.MarkLinksfieldCard,
				OrderNo: "NO2023060915590562022", OrderPeriod: "1", PackageCode: "DP20190726001274", PayAccount: "1",
				PayAmount: "12.36", PayCurrency: "GBP", PayId: "P000000002022", PayResultDate: "2022-06-07 15:10:35",
				PayRst: "SUCCESS", PayStatus: "1", PayType: "3", Terminal: generated.TerminalMobile,
			}))
			if err != nil || data == nil {
				t.Fatalf("data %v, err %v", data, err)
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
			ops, _ := operations()
			want := map[string]string{"partnerCode": "P000270", "version": "3.0", "tradeTime": "1645683857572", "tradeType": ops.tradeTypes[tt.path]}
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
	if _, err := c.VerifyCardWithResponse(ctx, generated.VerifyCardRequest{
		DeviceCode: "89852420180910340793", LanguageCode: generated.LanguageEnglish, Mark: generated.MarkLinksfieldCard,
		Terminal: generated.TerminalPC, Url: "https://dist.linksfield.net/login",
	}); err != nil {
		t.Fatal(err)
	}
	c2, m2, _ := setup(t, "P000270", 1645782486394)
	if _, err := c2.ListPlansWithResponse(ctx, generated.ListPlansRequest{
		Area: "欧洲", DeviceCode: "89852420180910340793", LanguageCode: generated.LanguageEnglish,
		Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
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
	recs, err := Data[[]generated.AutoRenewalRecord](c.ListAutoRenewalsWithResponse(context.Background(), generated.ListAutoRenewalsRequest{
		DeviceCode: "8100000000012000423", LanguageCode: generated.LanguageChinese, Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
	}))
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

// TestBodyEditedByPerCallEditor shows that a per-call editor that replaces the body (even without
// fixing ContentLength or GetBody) edits the unsigned body: the client signs what the editor left, so
// the server verifies the sign and sees the edit. Under the old design the editor ran after the signer
// and the request was refused with signing.ErrBodyReplaced.
func TestBodyEditedByPerCallEditor(t *testing.T) {
	const edited = `{"deviceCode":"8100000000012000999","languageCode":"0","mark":"0","terminal":"0"}`
	presigner := &signing.Signer{PartnerCode: "P999999", TradeTypes: map[string]string{"/queryAutoRenewalRecord": "queryAutoRenewalRecord"},
		Now: func() time.Time { return time.UnixMilli(1600000000000) }}
	tests := []struct {
		name    string
		editor  generated.RequestEditorFn
		device  string
		partner string
	}{
		{"body replaced", func(ctx context.Context, req *http.Request) error {
			req.Body = io.NopCloser(strings.NewReader(edited))
			return nil
		}, "8100000000012000999", "P000270"},
		{"body replaced, ContentLength and GetBody too", func(ctx context.Context, req *http.Request) error {
			req.Body = io.NopCloser(strings.NewReader(edited))
			req.ContentLength = int64(len(edited))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(edited)), nil }
			return nil
		}, "8100000000012000999", "P000270"},
		{"the signing editor itself, run per call", presigner.EditRequest, "8100000000012000423", "P999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m, _ := setup(t, "P000270", 1645683857572)
			_, err := c.ListAutoRenewalsWithResponse(context.Background(), generated.ListAutoRenewalsRequest{
				DeviceCode: "8100000000012000423", LanguageCode: generated.LanguageChinese, Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
			}, tt.editor)
			if err != nil {
				t.Fatal(err)
			}
			got := m.received("/vshop/queryAutoRenewalRecord")
			if len(got) != 1 {
				t.Fatalf("server received %d requests, want 1", len(got))
			}
			if err := signing.Verify(got[0]); err != nil { // the mall checked too
				t.Fatalf("sign does not verify: %v\n%s", err, got[0])
			}
			var fields map[string]string
			if err := json.Unmarshal(got[0], &fields); err != nil {
				t.Fatal(err)
			}
			if fields["deviceCode"] != tt.device || fields["partnerCode"] != tt.partner {
				t.Errorf("server got deviceCode %q partnerCode %q, want %q %q", fields["deviceCode"], fields["partnerCode"], tt.device, tt.partner)
			}
		})
	}
}

// TestReplyErrors checks answers other than a success envelope become errors a caller can act on.
func TestReplyErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantAPI     *APIError // nil: want a *DecodeError
	}{
		{"failure envelope", 200, "application/json", `{"operateCode":"F","message":"card not found"}`, &APIError{StatusCode: 200, OperateCode: "F", Message: "card not found"}},
		{"failure envelope with 400", 400, "application/json", `{"operateCode":"F","message":"deviceCode: is required"}`, &APIError{StatusCode: 400, OperateCode: "F", Message: "deviceCode: is required"}},
		{"500 without envelope", 500, "text/plain", "boom", &APIError{StatusCode: 500}},
		{"HTML page", 200, "text/html", "<html><body>Bad gateway</body></html>", nil},
		{"truncated JSON", 200, "application/json", `{"operateCode":"S","data":[{"payId":`, nil},
		{"JSON without envelope", 200, "application/json", `{"payId":"x"}`, nil},
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
			resp, err := c.ListAutoRenewalsWithResponse(context.Background(), generated.ListAutoRenewalsRequest{
				DeviceCode: "8100000000012000423", LanguageCode: generated.LanguageChinese, Mark: generated.MarkLinksfieldCard, Terminal: generated.TerminalMobile,
			})
			if err == nil {
				t.Fatalf("no error; response %+v", resp)
			}
			if tt.wantAPI != nil {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("got %T %v, want *APIError", err, err)
				}
				if ae.StatusCode != tt.wantAPI.StatusCode || ae.OperateCode != tt.wantAPI.OperateCode || ae.Message != tt.wantAPI.Message ||
					ae.Operation != "listAutoRenewals" || string(ae.Body) != tt.body {
					t.Errorf("got %+v", ae)
				}
			} else {
				var de *DecodeError
				if !errors.As(err, &de) || de.Operation != "listAutoRenewals" || !strings.Contains(err.Error(), "body starts") {
					t.Fatalf("got %T %v, want *DecodeError naming the operation", err, err)
				}
			}
			t.Log(err)
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
