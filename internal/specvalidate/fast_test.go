package specvalidate

import (
	"context"
	"testing"
)

// The fast path may only say "valid" for bodies kin-openapi accepts; every other body must reach
// kin-openapi. These tests compare the two.

const fastValidBody = `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"queryAutoRenewalRecord","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`

func TestFastPathAgreesWithKin(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const path = "/vshop/queryAutoRenewalRecord"
	tests := []struct {
		name     string
		body     string
		wantFast bool // the fast path decides "valid" on its own
		wantKin  bool // kin-openapi accepts
	}{
		{"valid", fastValidBody, true, true},
		{"valid with spaces and an extra string field", " {\n\"extra\" : \"x\", " + fastValidBody[1:] + "\n", true, true},
		{"escaped value", replace(fastValidBody, `"mark":"0"`, `"mark":"\u0030"`), true, true},
		{"extra number field: fast path declines, kin accepts", replace(fastValidBody, `"version":"3.0"`, `"version":"3.0","n":1`), false, true},
		{"extra object field: fast path declines, kin accepts", replace(fastValidBody, `"version":"3.0"`, `"version":"3.0","o":{"a":[1]}`), false, true},
		{"letters in deviceCode", replace(fastValidBody, `"deviceCode":"89852420180910340793"`, `"deviceCode":"89a"`), false, false},
		{"empty partnerCode", replace(fastValidBody, `"partnerCode":"P000270"`, `"partnerCode":""`), false, false},
		{"missing terminal", replace(fastValidBody, `"terminal":"1",`, ``), false, false},
		{"unknown enum", replace(fastValidBody, `"languageCode":"1"`, `"languageCode":"12"`), false, false},
		{"null required field", replace(fastValidBody, `"mark":"0"`, `"mark":null`), false, false},
		// kin-openapi reads the first JSON value and ignores what follows; the signer refuses such bodies.
		{"trailing garbage", fastValidBody + "x", false, true},
		{"raw control character", replace(fastValidBody, `"tradeType":"queryAutoRenewalRecord"`, "\"tradeType\":\"a\x01b\""), false, false},
		{"duplicate key, second one bad", replace(fastValidBody, `"mark":"0"`, `"mark":"0","mark":"7"`), false, false},
		{"not an object", `["x"]`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotFast := v.fastValid(path, []byte(tt.body))
			gotKin := v.full(context.Background(), "POST", path, []byte(tt.body)) == nil
			if gotFast != tt.wantFast || gotKin != tt.wantKin {
				t.Errorf("fast %v kin %v, want fast %v kin %v", gotFast, gotKin, tt.wantFast, tt.wantKin)
			}
			if got := v.Request(context.Background(), "POST", path, []byte(tt.body)) == nil; got != tt.wantKin {
				t.Errorf("Request valid = %v, want kin-openapi's verdict %v", got, tt.wantKin)
			}
		})
	}
}

// FuzzFastPath checks the fast path never accepts what kin-openapi rejects, on every operation.
func FuzzFastPath(f *testing.F) {
	v, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fastValidBody)
	f.Add(replace(fastValidBody, `"version":"3.0"`, `"version":"3.0","orderNo":"NO1","payId":"P1"`))
	f.Add(`{"deviceCode":"1","mark":"0\u0000"}`)
	f.Add(`{"a":"\ud800"}`)
	f.Add("{\"deviceCode\":\"\xff\"}")
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range v.fastPaths {
			if v.fastValid(p, []byte(body)) {
				if err := v.full(context.Background(), "POST", p, []byte(body)); err != nil {
					t.Fatalf("%s: fast path accepted a body kin-openapi rejects (%v): %q", p, err, body)
				}
			}
		}
	})
}
