package vshoptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vshop-go/vshop/signing"
)

// garbage is what a careless or hostile client might send. The fuzz target starts from it.
var garbage = []string{
	``, ` `, `null`, `true`, `0`, `"x"`, `[]`, `{}`, `{`, `}`, `{"a":}`, `{"a":1,}`, `{"a" 1}`,
	`{"sign":null}`, `{"sign":1}`, `{"sign":["x"]}`, `{"sign":{}}`, `{"sign":"EA7A3BBA7E345E0B8CA7F7E3B43D6E72"}`,
	`{"deviceCode":{"x":1}}`, `{"deviceCode":["1"]}`, `{"deviceCode":null}`, `{"deviceCode":1e999}`,
	`{"deviceCode":"1","deviceCode":"2"}`, `{"deviceCode":"\ud800"}`, "{\"deviceCode\":\"\xff\"}",
	`{"deviceCode":"89852420180910340793","mark":"0","languageCode":"1","terminal":"0","orderPeriod":"99999999999999999999999"}`,
	`{"deviceCode":"89852420180910340793","mark":"0","languageCode":"1","terminal":"0","packageCode":"PACKAGE20180428000007","servicePlanCode":"SP-EU-1GB-30D","orderPeriod":"999","payAmount":"1","payCurrency":"USD","autoRenewal":"1"}`,
	`{"deviceCode":"8100000000012000423","mark":"0","languageCode":"0","terminal":"0","payId":"CU-7ZOIHX0RB16U2025032713303774502","orderNo":"NO2025032713303915052"}`,
	`{"deviceCode":"89014100000000000017","mark":"1","languageCode":"1","terminal":"1","area":"Europe"}`,
	`{"DeviceCode":"1","deviceCode":"89852420180910340793"}`, `{"__proto__":{}}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	`{"a":` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat("}", 5001),
	`{"x":"` + strings.Repeat("é", 4000) + `"}`,
}

// paths are the spec's paths, sorted, plus a few that are not.
func fuzzPaths(s *mall) []string {
	var ps []string
	for p := range s.ops {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return append(ps, "/", "/singleVerify/", "//singleVerify", "/vshop/singleVerify", "/%00")
}

var fuzzMethods = []string{http.MethodPost, http.MethodPost, http.MethodPost, http.MethodGet, http.MethodDelete, "BREW"}

// FuzzHandler sends arbitrary bodies, signed and unsigned, to every path: the fake must answer each
// with a JSON envelope and a sensible status, and never panic.
func FuzzHandler(f *testing.F) {
	for i, g := range garbage {
		f.Add([]byte(g), uint8(i), true)
		f.Add([]byte(g), uint8(i), false)
	}
	s, err := newMall()
	if err != nil {
		f.Fatal(err)
	}
	paths := fuzzPaths(s)
	signer := &signing.Signer{PartnerCode: "P000270", TradeTypes: tradeTypes}
	h := s.handler
	f.Fuzz(func(t *testing.T, b []byte, route uint8, sign bool) {
		path := paths[int(route)%len(paths)]
		method := fuzzMethods[int(route/16)%len(fuzzMethods)]
		if sign {
			if signed, err := signer.SignBody(b, path); err == nil {
				b = signed
			}
		}
		req := httptest.NewRequest(method, "http://sandbox.test/", bytes.NewReader(b))
		req.URL.Path = path
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkEnvelope(t, rec, b)
	})
}

// checkEnvelope asserts that an answer is a JSON envelope whose status fits its operateCode.
func checkEnvelope(t *testing.T, rec *httptest.ResponseRecorder, sent []byte) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q for %q: %s", ct, sent, rec.Body)
	}
	var env struct {
		OperateCode *string `json:"operateCode"`
		Message     *string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.OperateCode == nil || env.Message == nil {
		t.Fatalf("not an envelope (%v) for %q: %s", err, sent, rec.Body)
	}
	switch {
	case rec.Code == http.StatusOK && *env.OperateCode == SuccessCode:
	case rec.Code >= 400 && rec.Code < 500 && *env.OperateCode == FailureCode && *env.Message != "":
	default:
		t.Fatalf("status %d with operateCode %q for %q: %s", rec.Code, *env.OperateCode, sent, rec.Body)
	}
}

// TestRecover checks the last-resort handler: a panic behind it becomes a 500 failure envelope.
func TestRecover(t *testing.T) {
	s, err := newMall(WithClock(func() time.Time { return start }))
	if err != nil {
		t.Fatal(err)
	}
	valid := func() *http.Request {
		return httptest.NewRequest(http.MethodPost, "/singleVerify", bytes.NewReader(body(t, "/singleVerify", nil, false)))
	}
	h := s.serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, valid())
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/json" ||
		!strings.Contains(rec.Body.String(), `"operateCode":"F"`) || !strings.Contains(rec.Body.String(), "boom") {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if reqs := s.log.list(); len(reqs) != 1 || reqs[0].Status != 500 {
		t.Errorf("recorded %+v, want one request answered 500", reqs)
	}

	// A panic after the answer began adds nothing to it.
	h = s.serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		panic("late")
	}))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, valid())
	if rec.Code != http.StatusTeapot || rec.Body.Len() != 0 {
		t.Fatalf("late panic: got %d %s", rec.Code, rec.Body)
	}
}

// TestOddPaths checks that percent-encoded and unclean paths get a JSON envelope: the gate and the
// router both match the decoded path, and nothing redirects.
func TestOddPaths(t *testing.T) {
	_, srv, _ := setup(t)
	for _, tt := range []struct {
		path, op string
		status   int
	}{
		{"/single%56erify", "/singleVerify", 200},
		{"/synPartner%2FSynOrderInfo", "/synPartner/SynOrderInfo", 200},
		{"/./singleVerify", "/singleVerify", 404},
		{"//singleVerify", "/singleVerify", 404},
		{"/singleVerify/", "/singleVerify", 404},
		{"/SINGLEVERIFY", "/singleVerify", 404},
	} {
		r := send(t, http.MethodPost, srv.URL+tt.path, "application/json", body(t, tt.op, nil, false))
		if r.status != tt.status || (tt.status == 200) != (r.env["operateCode"] == "S") {
			t.Errorf("%s: %d %s", tt.path, r.status, r.raw)
		}
	}

	rec := httptest.NewRecorder()
	(&router{}).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/nowhere", nil))
	checkEnvelope(t, rec, nil)
	if rec.Code != 404 {
		t.Errorf("router answered %d for an unregistered route", rec.Code)
	}
}
