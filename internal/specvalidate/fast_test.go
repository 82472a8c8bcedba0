package specvalidate

import (
	"context"
	"regexp"
	"testing"
	"unicode/utf8"
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

// classRunPatterns are the spec's patterns and some near misses; run says whether compileClassRun
// takes the pattern on (the others stay with regexp).
var classRunPatterns = []struct {
	pattern string
	run     bool
}{
	{`^[0-9]+$`, true},
	{`^[0-9a-f]{32}$`, true},
	{`^[A-Za-z]{3}$`, true},
	{`^[a-z_]*$`, true},
	{`^[0-9]{2,4}$`, true},
	{`^[0-9]{2,}$`, true},
	{`^[1-9][0-9]*$`, false},
	{`^[0-9]+(\.[0-9]+)?$`, false},
	{`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`, false},
	{`[0-9]+`, false},
	{`^[0-9]+`, false},
	{`^[^0-9]+$`, false},
	{`^[é0-9]+$`, false},
	{`^(?i)[a-c]+$`, true},
	{`^[\d]+$`, true},
	{`^a+$`, false},
}

// TestClassRunAgreesWithRegexp checks the byte-class check gives the regexp's verdict.
func TestClassRunAgreesWithRegexp(t *testing.T) {
	inputs := []string{"", "0", "7", "89852420180910340793", "12a", "a", "abc", "ABC", "abcd", "a_b", "１２", "é", "0\n", "\n0",
		"ea7a3bba7e345e0b8ca7f7e3b43d6e72", "EA7A3BBA7E345E0B8CA7F7E3B43D6E72", "ea7a3bba7e345e0b8ca7f7e3b43d6e7", "12345"}
	for _, p := range classRunPatterns {
		c := compileClassRun(p.pattern)
		if (c != nil) != p.run {
			t.Errorf("%s: compileClassRun made a classRun: %v, want %v", p.pattern, c != nil, p.run)
			continue
		}
		if c == nil {
			continue
		}
		re := regexp.MustCompile(p.pattern)
		for _, in := range inputs {
			if got, want := c.match([]byte(in)), re.MatchString(in); got != want {
				t.Errorf("%s on %q: classRun %v, regexp %v", p.pattern, in, got, want)
			}
		}
	}
}

// FuzzClassRun checks the byte-class check gives the regexp's verdict on any valid UTF-8 string
// (the fast path only ever checks valid UTF-8).
func FuzzClassRun(f *testing.F) {
	f.Add("89852420180910340793")
	f.Add("ea7a3bba7e345e0b8ca7f7e3b43d6e72")
	f.Add("aBc")
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return
		}
		for _, p := range classRunPatterns {
			if c := compileClassRun(p.pattern); c != nil && c.match([]byte(in)) != regexp.MustCompile(p.pattern).MatchString(in) {
				t.Fatalf("%s on %q: classRun %v", p.pattern, in, c.match([]byte(in)))
			}
		}
	})
}

// TestFastPathNullableMember: /singleVerify's optional url is nullable. The fast path still decides
// bodies whose url is a string, and leaves "url": null to kin-openapi, which accepts it.
func TestFastPathNullableMember(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const path = "/singleVerify"
	const body = `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`
	tests := []struct {
		name              string
		body              string
		wantFast, wantKin bool
	}{
		{"url a string", body, true, true},
		{"url null", replace(body, `"https://dist.linksfield.net/login"`, `null`), false, true},
		{"url a number", replace(body, `"https://dist.linksfield.net/login"`, `1`), false, false},
		{"tradeType of another operation", replace(body, `"tradeType":"singleVerify"`, `"tradeType":"singleOrder"`), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotFast := v.fastValid(path, []byte(tt.body))
			gotKin := v.full(context.Background(), "POST", path, []byte(tt.body)) == nil
			if gotFast != tt.wantFast || gotKin != tt.wantKin {
				t.Errorf("fast %v kin %v, want fast %v kin %v", gotFast, gotKin, tt.wantFast, tt.wantKin)
			}
		})
	}
}
