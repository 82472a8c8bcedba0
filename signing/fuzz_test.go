package signing

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vshop-go/vshop/internal/rawverify"
)

// fuzzSeeds are the tricky cases, run by plain go test as well.
var fuzzSeeds = []string{
	vectorABody, vectorBBody, contentA, contentB, contentC,
	`{}`, ``, ` `, `[]`, `"x"`, `null`, `{} `, `{}x`, `{}{}`,
	`{"sign":"x"}`, `{"\u0073ign":"x","a":"1"}`, `{"a":"","b":null,"c":"x"}`,
	`{"o":{"y":"","x":null},"a":[null,"",{}],"e":[]}`,
	`{"z":{"b":1,"a":{"d":[3,{"y":1,"x":2}],"c":null}}}`,
	`{"h":"<a href=\"x\">&amp;</a>","j":"\u003c\u003e\u0026"}`,
	"{\"r\":\"a\u2028b\u2029c\",\"e\":\"\\u2028\\u2029\"}",
	`{"a":"😀","b":"\ud83d\ude00","c":"\uD83D\uDE00x"}`,
	`{"q":"a\"b\\c","u":"\u0022\u005c","s":"\/"}`,
	`{"c":"\b\f\n\r\t\u0000\u0001\u001F\u007f"}`,
	`{"n":1.50,"m":-0,"e":1E+2,"f":false,"t":true,"x":-12.5e-3}`,
	`{"\u0062":1,"a":2,"c\u0000":3,"c":4}`, `{"a\u0022":2,"a\nb":1}`,
	`{"a":1,"B":2,"_":3,"é":4,"Z":5}`, `{"😀":1,"～":2}`, `{"":""}`,
	`{"a":1,"a":2}`, `{"ab":1,"a\u0062":2}`, `{"o":{"k":1,"k":2}}`, `{"sign":{"k":1,"k":2}}`,
	`{"a":"\ud83d"}`, `{"a":"\ude00"}`, `{"a":"\ud83d\u0041"}`, `{"a":"\ude00\ud83d"}`, `{"a":"\\ud83d"}`, `{"a":"\\\ud83d\ude00"}`,
	"{\"a\":\"\xff\"}", "{\"\xc3\":1}", "{\"a\":\"\xed\xa0\x80\"}", "\xef\xbb\xbf{}", "{\"a\":\"x\ty\"}",
	`{"a":1,}`, `{"a":[1,]}`, `{a:1}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e+}`, `{"a":tru}`, `{"a":nullx}`,
	`{"a":"\x41"}`, `{"a":"\u12"}`, `{"a":"b`, `{"a":[[[[{"b":[{}]}]]]]}`,
	`{"tradeTime":null,"partnerCode":"","tradeType":null,"version":"","sign":"x"}`,
	strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100),
}

var fuzzSigner = &Signer{
	PartnerCode: "P000270",
	TradeTypes:  map[string]string{"/singleVerify": "singleVerify"},
	Now:         fixedClock(1645683857572),
}

// FuzzCanonical checks the fast path against the reference formulation
// (same bytes, or both reject), and the invariants of Sign, Verify and
// SignBody, on any input.
func FuzzCanonical(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("slow input %q", body)) })
		defer watchdog.Stop()
		orig := bytes.Clone(body)
		got, err := Canonical(body)
		ref, refErr := referenceCanonical(body)
		switch {
		case err != nil && refErr == nil:
			t.Fatalf("fast path failed (%v), reference accepted: %q", err, ref)
		case err == nil && refErr != nil:
			t.Fatalf("fast path accepted (%q), reference failed: %v", got, refErr)
		case err == nil && !bytes.Equal(got, ref):
			t.Fatalf("fast path and reference differ:\nfast %q\nref  %q", got, ref)
		case err != nil && !errors.Is(err, ErrInvalidBody):
			t.Fatalf("error %v does not wrap ErrInvalidBody", err)
		}

		sign, signErr := Sign(body)
		verifyErr := Verify(body)
		out, signBodyErr := fuzzSigner.SignBody(body, "/vshop/singleVerify")
		if !bytes.Equal(body, orig) {
			t.Fatal("input modified")
		}
		if err != nil {
			if signErr == nil || signBodyErr == nil || !errors.Is(verifyErr, ErrInvalidBody) {
				t.Fatalf("Canonical failed (%v) but Sign: %v, Verify: %v, SignBody: %v", err, signErr, verifyErr, signBodyErr)
			}
			return
		}
		if again, err := Canonical(got); err != nil || !bytes.Equal(again, got) {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
		if signErr != nil || sign != md5hex(string(got)) {
			t.Fatalf("Sign = %q, %v; want MD5 of %q", sign, signErr, got)
		}
		if verifyErr != nil && !errors.Is(verifyErr, ErrMissingSign) && !errors.Is(verifyErr, ErrBadSign) {
			t.Fatalf("Verify = %v", verifyErr)
		}
		if signBodyErr != nil {
			t.Fatalf("SignBody failed on a signable body: %v", signBodyErr)
		}
		if err := Verify(out); err != nil {
			t.Fatalf("Verify(SignBody) = %v for %q", err, out)
		}
		// Send what you sign: the wire body's signed members, as raw text, sorted and joined, are
		// the signContent, so a server that hashes the text it received (rawverify, which shares
		// no code with this package) agrees.
		if err := rawverify.Verify(out); err != nil {
			t.Fatalf("the raw text of SignBody's output does not verify: %v", err)
		}
		canOut, err := Canonical(out)
		if err != nil {
			t.Fatalf("Canonical(SignBody output %q): %v", out, err)
		}
		if raw, err := rawverify.Content(out); err != nil || !bytes.Equal(raw, canOut) {
			t.Fatalf("raw members of SignBody's output %q are %q (%v), want its signContent %q", out, raw, err, canOut)
		}
		refOut, err := referenceCanonical(out)
		if err != nil || !bytes.HasSuffix(out, []byte(`"sign":"`+md5hex(string(refOut))+`"}`)) {
			t.Fatalf("SignBody output %q disagrees with the reference (%v)", out, err)
		}
	})
}
