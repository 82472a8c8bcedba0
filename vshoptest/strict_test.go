package vshoptest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vshop-go/vshop/signing"
	"github.com/vshop-go/vshop/vshoptest"
)

// rawVerify is a /singleVerify body for CardValid with changes applied, signed by hand.
func rawVerify(t *testing.T, changes map[string]string) []byte {
	t.Helper()
	m := map[string]string{"deviceCode": vshoptest.CardValid, "languageCode": "1", "mark": "0", "partnerCode": "P000270",
		"terminal": "0", "tradeTime": fmt.Sprint(fixed().UnixMilli()), "tradeType": "singleVerify", "version": "3.0"}
	for k, v := range changes {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
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

// post sends b to path and returns the status and the envelope's operateCode and message.
func post(t *testing.T, url string, b []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ OperateCode, Message string }
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("not an envelope: %s", raw)
	}
	return resp.StatusCode, env.OperateCode, env.Message
}

// TestStrictGlobalFields sends signed bodies whose tradeType, version or tradeTime the spec allows
// but the real API does not: each is refused with 400 naming the field; the edges are accepted.
func TestStrictGlobalFields(t *testing.T) {
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed))
	ms := func(d time.Duration) string { return fmt.Sprint(fixed().Add(d).UnixMilli()) }
	tests := []struct {
		name    string
		changes map[string]string
		status  int
		message string
	}{
		{"as the client sends it", nil, 200, "success"},
		{"tradeType of the documented placeholder", map[string]string{"tradeType": "verify"}, 400,
			`tradeType: must be one of "singleVerify"`},
		{"tradeType of another operation", map[string]string{"tradeType": "singleOrder"}, 400, `tradeType: must be one of "singleVerify"`},
		{"tradeType in another case", map[string]string{"tradeType": "SingleVerify"}, 400, `tradeType: must be one of "singleVerify"`},
		{"version 2.0", map[string]string{"version": "2.0"}, 400, `version: is "2.0": the fake accepts only "3.0"`},
		{"version 1.0 of the global example", map[string]string{"version": "1.0"}, 400, `version: is "1.0"`},
		{"tradeTime 1", map[string]string{"tradeTime": "1"}, 400, `tradeTime: is "1": send the time of the request in epoch milliseconds, 13 digits`},
		{"tradeTime of 14 digits (the old placeholder)", map[string]string{"tradeTime": "20181031256548"}, 400, `tradeTime: is "20181031256548"`},
		{"tradeTime in seconds", map[string]string{"tradeTime": fmt.Sprint(fixed().Unix())}, 400, "13 digits"},
		{"tradeTime 11 minutes early", map[string]string{"tradeTime": ms(-11 * time.Minute)}, 400,
			"tradeTime: 2026-01-15T01:49:00Z is 11m0s away from the fake's clock (2026-01-15T02:00:00Z): the fake accepts at most 10m0s either way"},
		{"tradeTime 11 minutes late", map[string]string{"tradeTime": ms(11 * time.Minute)}, 400, "is 11m0s away"},
		{"tradeTime 10 minutes early", map[string]string{"tradeTime": ms(-10 * time.Minute)}, 200, "success"},
		{"tradeTime 10 minutes late", map[string]string{"tradeTime": ms(10 * time.Minute)}, 200, "success"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, msg := post(t, srv.URL+"/singleVerify", rawVerify(t, tt.changes))
			wantCode := vshoptest.FailureCode
			if tt.status == 200 {
				wantCode = vshoptest.SuccessCode
			}
			if status != tt.status || code != wantCode || !strings.Contains(msg, tt.message) {
				t.Errorf("HTTP %d %s %q, want HTTP %d %s and a message containing %q", status, code, msg, tt.status, wantCode, tt.message)
			}
		})
	}
}
