package signing

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// checkReference asserts that the reference formulation agrees with the
// fast path on body: same bytes, or both errors.
func checkReference(t *testing.T, body string, got []byte, gotErr error) {
	t.Helper()
	ref, refErr := referenceCanonical([]byte(body))
	switch {
	case gotErr != nil && refErr == nil:
		t.Errorf("fast path failed (%v), reference accepted: %s", gotErr, ref)
	case gotErr == nil && refErr != nil:
		t.Errorf("fast path accepted (%s), reference failed: %v", got, refErr)
	case gotErr == nil && !bytes.Equal(got, ref):
		t.Errorf("fast path and reference differ:\nfast %s\nref  %s", got, ref)
	}
}

// nest returns depth nested arrays inside {"a":...}; the object counts as
// one level.
func nest(depth int) string {
	return `{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"vector A as documented", vectorABody, contentA},
		{"vector B as documented", vectorBBody, contentB},
		{"vector C", contentC, contentC},
		{"already canonical", contentA, contentA},
		{"key order irrelevant", `{"version":"3.0","url":"https://dist.linksfield.net/login","tradeType":"singleVerify","tradeTime":"1645683857572","terminal":"1","partnerCode":"P000270","mark":"0","languageCode":"1","deviceCode":"89852420180910340793"}`, contentA},
		{"whitespace irrelevant", " \t\r\n{\r\n\t\"area\" :\t\"欧洲\" , \"deviceCode\"\n:\n\"89852420180910340793\",\"languageCode\":\"1\",\"mark\":\"0\",\"partnerCode\":\"P000270\",\"terminal\":\"0\",\"tradeTime\":\"1645782486394\",\"tradeType\":\"singleServicePlanPage\",\"version\":\"3.0\"\n}\n ", contentB},
		{"escaped non-ASCII written raw", `{"area":"\u6b27\u6d32","deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"0","tradeTime":"1645782486394","tradeType":"singleServicePlanPage","version":"3.0"}`, contentB},
		{"escaped slash written raw", `{"url":"https:\/\/dist.linksfield.net\/login"}`, `{"url":"https://dist.linksfield.net/login"}`},
		{"empty and null dropped", `{"a":"","b":null,"c":"x","d":" "}`, `{"c":"x","d":" "}`},
		{"sign dropped", `{"sign":"abc","a":"1"}`, `{"a":"1"}`},
		{"sign dropped whatever its value", `{"a":"1","sign":{"x":[1]}}`, `{"a":"1"}`},
		{"escaped sign key dropped", `{"\u0073ign":"abc","a":"1"}`, `{"a":"1"}`},
		{"nothing left", `{"sign":"x","a":null,"b":""}`, `{}`},
		{"empty object", `{}`, `{}`},
		{"empty key", `{"":"x"}`, `{"":"x"}`},
		{"nested empties kept", `{"o":{"y":"","x":null},"a":[null,"",{}],"e":[]}`, `{"a":[null,"",{}],"e":[],"o":{"x":null,"y":""}}`},
		{"nested objects sorted, arrays in order", `{"z":{"b":1,"a":{"d":[3,{"y":1,"x":2}],"c":null}},"y":[3,1,2]}`, `{"y":[3,1,2],"z":{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}}`},
		{"nested whitespace removed", `{"o": { "b" : [ 1 , "x y" ] , "a" : true } }`, `{"o":{"a":true,"b":[1,"x y"]}}`},
		{"html characters not escaped", `{"h":"<a href=\"x\">&amp;</a>","j":"\u003c\u003e\u0026"}`, `{"h":"<a href=\"x\">&amp;</a>","j":"<>&"}`},
		{"U+2028 and U+2029 raw", "{\"r\":\"a\u2028b\u2029c\",\"e\":\"\\u2028\\u2029\"}", "{\"e\":\"\u2028\u2029\",\"r\":\"a\u2028b\u2029c\"}"},
		{"emoji raw and as surrogate pair", `{"a":"😀","b":"\ud83d\ude00","c":"\uD83D\uDE00x"}`, `{"a":"😀","b":"😀","c":"😀x"}`},
		{"quotes and backslashes", `{"q":"a\"b\\c","u":"\u0022\u005c"}`, `{"q":"a\"b\\c","u":"\"\\"}`},
		{"short control escapes", `{"c":"\b\f\n\r\t","u":"\u0008\u000C\u000a\u000D\u0009"}`, `{"c":"\b\f\n\r\t","u":"\b\f\n\r\t"}`},
		{"other control characters as lowercase \\u00xx", `{"c":"\u0000\u0001\u001F\u001b"}`, `{"c":"\u0000\u0001\u001f\u001b"}`},
		{"DEL raw", `{"c":"\u007f` + "\x7f" + `"}`, "{\"c\":\"\x7f\x7f\"}"},
		{"numbers keep their text", `{"n":1.50,"m":-0,"e":1E+2,"f":false,"t":true,"z":0,"x":-12.5e-3}`, `{"e":1E+2,"f":false,"m":-0,"n":1.50,"t":true,"x":-12.5e-3,"z":0}`},
		{"a number zero and string zero kept", `{"a":0,"b":"0"}`, `{"a":0,"b":"0"}`},
		{"keys sorted by decoded value", `{"\u0062":1,"a":2,"c\u0000":3,"c":4}`, `{"a":2,"b":1,"c":4,"c\u0000":3}`},
		{"key that needs escaping, sorted by its decoded bytes", `{"a\u0022":2,"a\nb":1}`, `{"a\nb":1,"a\"":2}`},
		{"byte order, not alphabetical", `{"a":1,"B":2,"_":3,"é":4,"Z":5}`, `{"B":2,"Z":5,"_":3,"a":1,"é":4}`},
		{"byte order, not UTF-16 order", `{"😀":1,"～":2}`, `{"～":2,"😀":1}`},
		{"many keys", `{"m":1,"l":1,"k":1,"j":1,"i":1,"h":1,"g":1,"f":1,"e":1,"d":1,"c":1,"b":1,"a":1,"n":1}`, `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1}`},
		{"max depth", nest(maxDepth), nest(maxDepth)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical([]byte(tt.body))
			if err != nil {
				t.Fatalf("Canonical: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Canonical =\n%s\nwant\n%s", got, tt.want)
			}
			checkReference(t, tt.body, got, err)

			prefix := []byte("prefix:")
			app, err := AppendCanonical(prefix, []byte(tt.body))
			if err != nil || string(app) != "prefix:"+tt.want {
				t.Errorf("AppendCanonical = %q, %v", app, err)
			}
			again, err := Canonical(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("Canonical is not idempotent: %s, %v", again, err)
			}
		})
	}
}

func TestCanonicalErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // regexp the error must match
	}{
		{"empty", ``, `body is empty`},
		{"blank", " \n", `body is empty`},
		{"array", `[{"a":"1"}]`, `byte offset 0: body is not a JSON object: found '\['`},
		{"string", ` "x"`, `byte offset 1: body is not a JSON object`},
		{"null", `null`, `not a JSON object`},
		{"byte order mark", "\xef\xbb\xbf{}", `byte offset 0: body is not a JSON object: found byte 0xef`},
		{"trailing garbage", `{"a":"1"}x`, `byte offset 9: trailing data after the JSON object: found 'x'`},
		{"second object", `{} {}`, `byte offset 3: trailing data`},
		{"trailing comma in object", `{"a":1,}`, `byte offset 7: unexpected '}', want a string key`},
		{"trailing comma in array", `{"a":[1,]}`, `byte offset 8: unexpected '\]', want a value`},
		{"unquoted key", `{a:1}`, `byte offset 1: unexpected 'a', want a string key`},
		{"missing colon", `{"ab" 1}`, `byte offset 6: unexpected '1' after key "ab", want ':'`},
		{"missing value", `{"a":}`, `byte offset 5: unexpected '}', want a value`},
		{"missing comma", `{"a":1 "b":2}`, `byte offset 7: unexpected '"' in object`},
		{"unclosed object", `{"a":1`, `byte offset 6: unexpected end of input in object`},
		{"unclosed array", `{"a":[1`, `unexpected end of input in array`},
		{"unterminated string", `{"a":"b`, `byte offset 5: unterminated string`},
		{"unterminated escape", `{"a":"b\`, `unterminated string`},
		{"leading zero", `{"a":01}`, `byte offset 6: unexpected '1' in object`},
		{"bare minus", `{"a":-}`, `byte offset 5: invalid number`},
		{"no fraction digits", `{"a":1.}`, `invalid number: want a digit after '.'`},
		{"no exponent digits", `{"a":1e+}`, `invalid number: want a digit in the exponent`},
		{"plus sign", `{"a":+1}`, `unexpected '\+', want a value`},
		{"bad literal", `{"a":tru}`, `byte offset 5: invalid literal, want true`},
		{"literal with tail", `{"a":nullx}`, `unexpected 'x' in object`},
		{"single quotes", `{'a':1}`, `want a string key`},
		{"raw control character", "{\"a\":\"x\ty\"}", `byte offset 7: control character 0x09 in string`},
		{"raw newline in key", "{\"a\nb\":1}", `byte offset 3: control character 0x0a`},
		{"bad escape", `{"a":"\x41"}`, `byte offset 6: invalid escape 'x'`},
		{"short unicode escape", `{"a":"\u12"}`, `byte offset 6: invalid \\u escape`},
		{"invalid UTF-8 in value", "{\"a\":\"\xff\"}", `byte offset 6: invalid UTF-8 \(byte 0xff\) in string`},
		{"invalid UTF-8 in key", "{\"\xc3\":1}", `byte offset 2: invalid UTF-8`},
		{"truncated UTF-8", "{\"a\":\"\xe6\xac\"}", `invalid UTF-8`},
		{"overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", `invalid UTF-8`},
		{"UTF-8 encoded surrogate", "{\"a\":\"\xed\xa0\x80\"}", `invalid UTF-8`},
		{"invalid UTF-8 in the dropped sign", "{\"sign\":\"\xff\"}", `invalid UTF-8`},
		{"invalid UTF-8 outside strings", "{\"a\":1\xff}", `byte offset 6: unexpected byte 0xff`},
		{"lone high surrogate", `{"a":"\ud83d"}`, `byte offset 6: unpaired surrogate \\ud83d`},
		{"lone low surrogate", `{"a":"x\ude00"}`, `byte offset 7: unpaired surrogate \\ude00`},
		{"high surrogate then letter", `{"a":"\ud83d\u0041"}`, `unpaired surrogate`},
		{"high surrogate then raw text", `{"a":"\ud83dxx"}`, `unpaired surrogate`},
		{"reversed pair", `{"a":"\ude00\ud83d"}`, `unpaired surrogate \\ude00`},
		{"two high surrogates", `{"a":"\ud83d\ud83d"}`, `unpaired surrogate \\ud83d`},
		{"lone surrogate in key", `{"\udfff":1}`, `byte offset 2: unpaired surrogate`},
		{"lone surrogate in dropped sign", `{"sign":"\ud800"}`, `unpaired surrogate`},
		{"duplicate key", `{"a":1,"b":2,"a":3}`, `byte offset 13: duplicate key "a" \(also at byte offset 1\)`},
		{"duplicate key by escape", `{"ab":1,"a\u0062":2}`, `duplicate key "ab"`},
		{"duplicate dropped keys", `{"a":"","a":null}`, `duplicate key "a"`},
		{"duplicate sign", `{"sign":"1","sign":"2"}`, `duplicate key "sign"`},
		{"duplicate nested key", `{"o":{"k":1,"k":2}}`, `byte offset 12: duplicate key "k"`},
		{"duplicate key in the dropped sign", `{"sign":{"k":1,"k":2}}`, `duplicate key "k"`},
		{"too deep", nest(maxDepth + 1), `nesting deeper than 10000 levels`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical([]byte(tt.body))
			if err == nil {
				t.Fatalf("Canonical = %s, want an error", got)
			}
			if !errors.Is(err, ErrInvalidBody) {
				t.Errorf("error %v does not wrap ErrInvalidBody", err)
			}
			if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("error %q does not match %q", err, tt.want)
			}
			checkReference(t, tt.body, got, err)

			dst := []byte("keep")
			if out, err := AppendCanonical(dst, []byte(tt.body)); err == nil || string(out) != "keep" {
				t.Errorf("AppendCanonical = %q, %v; want dst unchanged and an error", out, err)
			}
			if _, err := Sign([]byte(tt.body)); err == nil {
				t.Error("Sign accepted the body")
			}
			if err := Verify([]byte(tt.body)); !errors.Is(err, ErrInvalidBody) {
				t.Errorf("Verify = %v, want ErrInvalidBody", err)
			}
		})
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"vector A", vectorABody, signA},
		{"vector A content", contentA, signA},
		{"vector B", vectorBBody, signB},
		{"vector B content", contentB, signB},
		{"vector C", contentC, signC},
		{"vector A, stale sign", strings.Replace(vectorABody, signA, "0123", 1), signA},
		{"vector A, empty extra field", strings.Replace(contentA, `"mark"`, `"orgOrderId":"","mark"`, 1), signA},
	}
	hexRE := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sign([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
			if !hexRE.MatchString(got) {
				t.Errorf("Sign = %q, want 32 lowercase hex digits", got)
			}
		})
	}

	// The documented wrong ways to sign vector A (and B) give these values;
	// each is checked to come from its variant, then not to be produced.
	spaced := strings.NewReplacer(`","`, `", "`, `":"`, `": "`).Replace(contentA)
	negatives := []struct {
		name, body, variant, bad string
	}{
		{"spaces after , and :", vectorABody, spaced, "d52545100f937406740be959ff4ceddb"},
		{"slash escaped", vectorABody, strings.ReplaceAll(contentA, "/", `\/`), "9ea431d282178d742083cd1566a27ee7"},
		{"non-ASCII escaped", vectorBBody, strings.Replace(contentB, "欧洲", `\u6b27\u6d32`, 1), "f0f89b0f9aad361ed2fa28702833676f"},
		{"empty sign included", vectorABody, strings.Replace(contentA, `"terminal"`, `"sign":"","terminal"`, 1), "fbad0e32772193c575e882ac1efe3b80"},
		{"key=value& form", vectorABody, "deviceCode=89852420180910340793&languageCode=1&mark=0&partnerCode=P000270&terminal=1&tradeTime=1645683857572&tradeType=singleVerify&url=https://dist.linksfield.net/login&version=3.0", "32a83fe847582d0dbadfaa82d2874ec6"},
		{"upper-case hex", vectorABody, "", strings.ToUpper(signA)},
	}
	for _, n := range negatives {
		t.Run("not "+n.name, func(t *testing.T) {
			if n.variant != "" && md5hex(n.variant) != n.bad {
				t.Fatalf("variant hashes to %s, not %s", md5hex(n.variant), n.bad)
			}
			got, err := Sign([]byte(n.body))
			if err != nil {
				t.Fatal(err)
			}
			if got == n.bad {
				t.Errorf("Sign produced the %s value %s", n.name, got)
			}
			// A body carrying the bad sign does not verify.
			body := strings.NewReplacer(signA, n.bad, signB, n.bad).Replace(n.body)
			if err := Verify([]byte(body)); !errors.Is(err, ErrBadSign) {
				t.Errorf("Verify with the %s sign = %v, want ErrBadSign", n.name, err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name string
		body string
		want error // nil, ErrMissingSign, ErrBadSign or ErrInvalidBody
	}{
		{"vector A", vectorABody, nil},
		{"vector B", vectorBBody, nil},
		{"vector A compact", strings.Replace(contentA, `"version"`, `"sign":"`+signA+`","version"`, 1), nil},
		{"sign written with escapes", strings.Replace(vectorABody, signA, `\u0065a7a3bba7e345e0b8ca7f7e3b43d6e72`, 1), nil},
		{"reordered and reformatted", `{"sign":"` + signA + `","version":"3.0","url":"https:\/\/dist.linksfield.net\/login","tradeType":"singleVerify","tradeTime":"1645683857572","terminal":"1","partnerCode":"P000270","mark":"0","languageCode":"1","deviceCode":"89852420180910340793","extra":""}`, nil},
		{"changed value", strings.Replace(vectorABody, `"mark": "0"`, `"mark": "1"`, 1), ErrBadSign},
		{"added field", strings.Replace(vectorABody, `"mark": "0"`, `"mark": "0", "x": "y"`, 1), ErrBadSign},
		{"number instead of string", strings.Replace(vectorABody, `"mark": "0"`, `"mark": 0`, 1), ErrBadSign},
		{"upper-case sign", strings.Replace(vectorABody, signA, strings.ToUpper(signA), 1), ErrBadSign},
		{"short sign", strings.Replace(vectorABody, signA, signA[:31], 1), ErrBadSign},
		{"sign not a string", `{"a":"1","sign":12}`, ErrBadSign},
		{"sign an object", `{"a":"1","sign":{}}`, ErrBadSign},
		{"no sign", contentA, ErrMissingSign},
		{"null sign", `{"a":"1","sign":null}`, ErrMissingSign},
		{"empty sign", `{"a":"1","sign":""}`, ErrMissingSign},
		{"not an object", `["sign"]`, ErrInvalidBody},
		{"duplicate sign", `{"sign":"` + signA + `","sign":"` + signA + `"}`, ErrInvalidBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify([]byte(tt.body))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if want, _ := Sign([]byte(tt.body)); want != "" && strings.Contains(err.Error(), want) {
				t.Errorf("error %q reveals the expected sign", err)
			}
		})
	}
}

// fixedClock returns a clock stopped at the given epoch milliseconds.
func fixedClock(ms int64) func() time.Time {
	return func() time.Time { return time.UnixMilli(ms) }
}

func testSigner() *Signer {
	return &Signer{
		PartnerCode: "P000270",
		TradeTypes: map[string]string{
			"/singleVerify":            "singleVerify",
			"/singleServicePlanPage":   "singleServicePlanPage",
			"/SynOrderInfo":            "wrong",
			"/synPartner/SynOrderInfo": "SynOrderInfo",
			"queryAutoRenewalRecord":   "queryAutoRenewalRecord",
		},
		Now: fixedClock(1645683857572),
	}
}

func TestSignBody(t *testing.T) {
	const fills = `"partnerCode":"P000270","version":"3.0","tradeType":"singleVerify","tradeTime":"1645683857572"`
	tests := []struct {
		name   string
		signer *Signer
		body   string
		path   string
		want   string // without the sign, which is appended last
		sign   string // the expected sign, if known from the docs
		err    string // regexp, if an error is expected
	}{
		{
			name: "vector A from its business fields",
			body: `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","terminal":"1","url":"https://dist.linksfield.net/login"}`,
			path: "/vshop/singleVerify",
			want: `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","terminal":"1","url":"https://dist.linksfield.net/login",` + fills,
			sign: signA,
		},
		{
			name: "vector B as documented: stale sign moved last, nothing filled",
			body: vectorBBody,
			path: "/vshop/singleServicePlanPage",
			want: `{"area":"欧洲","deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"0","tradeTime":"1645782486394","tradeType":"singleServicePlanPage","version":"3.0"`,
			sign: signB,
		},
		{
			name: "empty body gets all four fields",
			body: `{}`,
			path: "/singleVerify",
			want: `{` + fills,
		},
		{
			name: "empty and null fields replaced in place",
			body: `{"tradeTime":null,"a":"1","partnerCode":"","tradeType":null,"version":""}`,
			path: "/singleVerify",
			want: `{"tradeTime":"1645683857572","a":"1","partnerCode":"P000270","tradeType":"singleVerify","version":"3.0"`,
		},
		{
			name: "caller's values kept",
			body: `{"tradeTime":"1000000000000","partnerCode":"P999999","version":"2.0","tradeType":"custom"}`,
			path: "/unknown",
			want: `{"tradeTime":"1000000000000","partnerCode":"P999999","version":"2.0","tradeType":"custom"`,
		},
		{
			name: "non-string values are not empty",
			body: `{"tradeTime":1645683857572,"version":3}`,
			path: "/singleVerify",
			want: `{"tradeTime":1645683857572,"version":3,"partnerCode":"P000270","tradeType":"singleVerify"`,
		},
		{
			name: "other empty fields kept in the body",
			body: `{"orgOrderId":"","languageCode":"","x":null}`,
			path: "/synPartner/SynOrderInfo",
			want: `{"orgOrderId":"","languageCode":"","x":null,"partnerCode":"P000270","version":"3.0","tradeType":"SynOrderInfo","tradeTime":"1645683857572"`,
		},
		{
			name: "old sign removed from anywhere",
			body: `{"sign":"x","a":"1","sign2":"y"}`,
			path: "/singleVerify",
			want: `{"a":"1","sign2":"y",` + fills,
		},
		{
			name: "compacted, strings re-encoded, numbers keep their text",
			body: "{\n  \"n\" : 1.50 ,\n  \"s\" : \"a \\u0041\\/\" ,\n  \"o\" : { \"k\" : [ 1 , \"x y\" ] }\n}",
			path: "/singleVerify",
			want: `{"n":1.50,"s":"a A/","o":{"k":[1,"x y"]},` + fills,
		},
		{
			name: "escaped key of a filled field written as signed",
			body: `{"partner\u0043ode":""}`,
			path: "/singleVerify",
			want: `{"partnerCode":"P000270","version":"3.0","tradeType":"singleVerify","tradeTime":"1645683857572"`,
		},
		{
			name: "encoding/json's escapes sent as signed: & < > U+2028 U+2029",
			body: `{"url":"https://example.com/pay?a=1\u0026b=\u003c2\u003e","remark":"x\u2028y\u2029z"}`,
			path: "/singleVerify",
			want: "{\"url\":\"https://example.com/pay?a=1&b=<2>\",\"remark\":\"x\u2028y\u2029z\"," + fills,
		},
		{
			name: "quotes, backslashes, control characters and non-ASCII in canonical escapes",
			body: `{"q":"say \u0022hi\u0022 C:\\d","c":"\u000A\u0009\u001F\u007f","a":"\u6b27\u6d32 \ud83d\ude00"}`,
			path: "/singleVerify",
			want: "{\"q\":\"say \\\"hi\\\" C:\\\\d\",\"c\":\"\\n\\t\\u001f\x7f\",\"a\":\"欧洲 😀\"," + fills,
		},
		{
			name: "nested object sent with sorted keys, as signed",
			body: `{"o":{"b":"\u003c","a":[{"y":1,"x":null}]}}`,
			path: "/singleVerify",
			want: `{"o":{"a":[{"x":null,"y":1}],"b":"<"},` + fills,
		},
		{
			name: "empty members kept, written as null and \"\"",
			body: `{"\u0061":"", "b" : null}`,
			path: "/singleVerify",
			want: `{"a":"","b":null,` + fills,
		},
		{
			name:   "configured version",
			signer: &Signer{PartnerCode: "P1", Version: "9.9", TradeTypes: map[string]string{"/x": "X"}, Now: fixedClock(1645683857572)},
			body:   `{}`,
			path:   "/x",
			want:   `{"partnerCode":"P1","version":"9.9","tradeType":"X","tradeTime":"1645683857572"`,
		},
		{
			name:   "configured values escaped",
			signer: &Signer{PartnerCode: "P\"1\\é", TradeTypes: map[string]string{"/x": "X\n"}, Now: fixedClock(9999999999999)},
			body:   `{}`,
			path:   "/x",
			want:   `{"partnerCode":"P\"1\\é","version":"3.0","tradeType":"X\n","tradeTime":"9999999999999"`,
		},
		{name: "longest suffix wins", body: `{"version":"3.0"}`, path: "/vshop/synPartner/SynOrderInfo",
			want: `{"version":"3.0","partnerCode":"P000270","tradeType":"SynOrderInfo","tradeTime":"1645683857572"`},
		{name: "shorter suffix still matches", body: `{"version":"3.0"}`, path: "/other/SynOrderInfo",
			want: `{"version":"3.0","partnerCode":"P000270","tradeType":"wrong","tradeTime":"1645683857572"`},
		{name: "key without leading slash", body: `{"version":"3.0"}`, path: "/vshop/queryAutoRenewalRecord",
			want: `{"version":"3.0","partnerCode":"P000270","tradeType":"queryAutoRenewalRecord","tradeTime":"1645683857572"`},
		{name: "suffix only at a slash", body: `{}`, path: "/vshop/xsingleVerify", err: `no tradeType for request path "/vshop/xsingleVerify"`},
		{name: "unknown path", body: `{"a":"1"}`, path: "/vshop/nowhere", err: `no tradeType for request path "/vshop/nowhere"`},
		{name: "empty tradeType, unknown path", body: `{"tradeType":""}`, path: "/nowhere", err: `no tradeType for request path "/nowhere"`},
		{name: "no TradeTypes", signer: &Signer{PartnerCode: "P"}, body: `{}`, path: "/singleVerify", err: `no tradeType`},
		{name: "no partnerCode", signer: &Signer{TradeTypes: map[string]string{"/x": "x"}}, body: `{"partnerCode":null}`, path: "/x", err: `no partnerCode`},
		{name: "invalid partnerCode", signer: &Signer{PartnerCode: "\xff", TradeTypes: map[string]string{"/x": "x"}}, body: `{}`, path: "/x", err: `partnerCode to fill in is not valid UTF-8`},
		{name: "clock too early", signer: &Signer{PartnerCode: "P", TradeTypes: map[string]string{"/x": "x"}, Now: fixedClock(0)}, body: `{}`, path: "/x", err: `not a 13-digit epoch-millisecond tradeTime`},
		{name: "invalid body", body: `{"a":1,"a":2}`, path: "/singleVerify", err: `duplicate key "a"`},
		{name: "duplicate sign", body: `{"sign":"1","sign":"2"}`, path: "/singleVerify", err: `duplicate key "sign"`},
		{name: "nested duplicate", body: `{"o":{"k":1,"k":2}}`, path: "/singleVerify", err: `duplicate key "k"`},
		{name: "not an object", body: `[]`, path: "/singleVerify", err: `not a JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.signer
			if s == nil {
				s = testSigner()
			}
			in := []byte(tt.body)
			got, err := s.SignBody(in, tt.path)
			if string(in) != tt.body {
				t.Errorf("SignBody modified its input")
			}
			if tt.err != "" {
				if err == nil {
					t.Fatalf("SignBody = %s, want error %q", got, tt.err)
				}
				if !regexp.MustCompile(tt.err).MatchString(err.Error()) {
					t.Fatalf("error %q does not match %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The sign is last and matches the reference canonical form of
			// what is sent.
			ref, err := referenceCanonical(got)
			if err != nil {
				t.Fatalf("reference rejects the signed body %s: %v", got, err)
			}
			want := tt.want + `,"sign":"` + md5hex(string(ref)) + `"}`
			if string(got) != want {
				t.Errorf("SignBody =\n%s\nwant\n%s", got, want)
			}
			if tt.sign != "" && !strings.HasSuffix(string(got), `"sign":"`+tt.sign+`"}`) {
				t.Errorf("SignBody sign is not the documented %s: %s", tt.sign, got)
			}
			if err := Verify(got); err != nil {
				t.Errorf("Verify(SignBody) = %v", err)
			}
			// Signing again changes nothing.
			if again, err := s.SignBody(got, tt.path); err != nil || !bytes.Equal(again, got) {
				t.Errorf("re-signing gives %s, %v", again, err)
			}
		})
	}
}

func TestSignBodyClock(t *testing.T) {
	s := &Signer{PartnerCode: "P", TradeTypes: map[string]string{"/x": "x"}}
	before := time.Now().UnixMilli()
	got, err := s.SignBody([]byte(`{}`), "/x")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UnixMilli()
	m := regexp.MustCompile(`"tradeTime":"(\d+)"`).FindSubmatch(got)
	if m == nil || len(m[1]) != 13 {
		t.Fatalf("no 13-digit tradeTime in %s", got)
	}
	var ms int64
	for _, c := range m[1] {
		ms = ms*10 + int64(c-'0')
	}
	if ms < before || ms > after {
		t.Errorf("tradeTime %d not within [%d, %d]", ms, before, after)
	}
}

// newRequest returns a POST request to path with the given body.
func newRequest(t testing.TB, path, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// checkRequestBody asserts that Body, GetBody and ContentLength agree on
// want.
func checkRequestBody(t *testing.T, req *http.Request, want []byte) {
	t.Helper()
	if req.ContentLength != int64(len(want)) {
		t.Errorf("ContentLength = %d, want %d", req.ContentLength, len(want))
	}
	if req.GetBody == nil {
		t.Fatal("GetBody is nil")
	}
	for i := range 2 {
		rc, err := req.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, want) {
			t.Errorf("GetBody #%d = %s, want %s", i+1, b, want)
		}
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("Body = %s, want %s", b, want)
	}
}

// closeRecorder records whether the original body was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestEditRequest(t *testing.T) {
	s := testSigner()
	ctx := context.Background()
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		err  string // regexp, if an error is expected
	}{
		{"vector B", func(t *testing.T) *http.Request { return newRequest(t, "/vshop/singleServicePlanPage", vectorBBody) }, ""},
		{"fill everything", func(t *testing.T) *http.Request { return newRequest(t, "/vshop/singleVerify", `{"deviceCode":"1"}`) }, ""},
		{"unknown length", func(t *testing.T) *http.Request {
			req := newRequest(t, "/singleVerify", `{"a":"1"}`)
			req.ContentLength = -1
			req.Body = io.NopCloser(iotest.OneByteReader(strings.NewReader(`{"deviceCode": "1"}`)))
			return req
		}, ""},
		{"already signed", func(t *testing.T) *http.Request {
			req := newRequest(t, "/singleVerify", `{"a":"1"}`)
			if err := s.EditRequest(ctx, req); err != nil {
				t.Fatal(err)
			}
			return req
		}, ""},
		{"nil body", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/singleVerify", nil)
			return req
		}, `request POST /singleVerify has no body`},
		{"NoBody", func(t *testing.T) *http.Request {
			req := newRequest(t, "/singleVerify", "")
			req.Body = http.NoBody
			return req
		}, `has no body`},
		{"empty body", func(t *testing.T) *http.Request {
			req := newRequest(t, "/singleVerify", "")
			req.Body = io.NopCloser(strings.NewReader(""))
			return req
		}, `has an empty body`},
		{"read error", func(t *testing.T) *http.Request {
			req := newRequest(t, "/singleVerify", "")
			req.Body = io.NopCloser(iotest.ErrReader(errors.New("boom")))
			return req
		}, `reading the body of POST /singleVerify: boom`},
		{"unknown path", func(t *testing.T) *http.Request { return newRequest(t, "/vshop/nowhere", `{}`) }, `no tradeType for request path "/vshop/nowhere"`},
		{"invalid body", func(t *testing.T) *http.Request { return newRequest(t, "/singleVerify", `{"a":}`) }, `invalid JSON body`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req(t)
			var orig *closeRecorder
			if req.Body != nil && req.Body != http.NoBody {
				orig = &closeRecorder{Reader: req.Body}
				req.Body = orig
			}
			err := s.EditRequest(ctx, req)
			if tt.err != "" {
				if err == nil || !regexp.MustCompile(tt.err).MatchString(err.Error()) {
					t.Fatalf("EditRequest = %v, want error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !orig.closed {
				t.Error("the original body was not closed")
			}
			signed, ok := SignedBytes(req)
			if !ok {
				t.Fatal("SignedBytes: not signed")
			}
			if err := Verify(signed); err != nil {
				t.Errorf("Verify = %v for %s", err, signed)
			}
			if err := CheckSigned(req); err != nil {
				t.Errorf("CheckSigned = %v", err)
			}
			checkRequestBody(t, req, signed)
		})
	}
}

func TestEditRequestOverHTTP(t *testing.T) {
	// A 307 redirect makes the client resend the body through GetBody; the
	// server verifies what arrives each time.
	var got [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, body)
		if err := Verify(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/old/singleVerify" {
			http.Redirect(w, r, "/vshop/singleVerify", http.StatusTemporaryRedirect)
			return
		}
		if r.ContentLength != int64(len(body)) {
			t.Errorf("server: Content-Length %d, body %d bytes", r.ContentLength, len(body))
		}
		io.WriteString(w, `{"operateCode":"S"}`)
	}))
	defer srv.Close()

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/old/singleVerify", strings.NewReader(`{"deviceCode":"89852420180910340793"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := testSigner().EditRequest(req.Context(), req); err != nil {
		t.Fatal(err)
	}
	if err := CheckSigned(req); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if len(got) != 2 || !bytes.Equal(got[0], got[1]) {
		t.Fatalf("server received %q, want the same signed body twice", got)
	}
}

// writeCounter counts the writes to a client connection.
type writeCounter struct {
	net.Conn
	writes *atomic.Int32
}

func (c writeCounter) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestEditRequestWritesOnce checks that net/http sends a signed request in
// one write, headers and body together, as it does for a body it knows is
// in memory (for other bodies it flushes the headers first: a second write,
// and a second packet, that cost more than signing on a loopback round trip).
func TestEditRequestWritesOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"operateCode":"S"}`)
	}))
	defer srv.Close()
	var writes atomic.Int32
	var d net.Dialer
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		return writeCounter{c, &writes}, err
	}}}
	defer client.CloseIdleConnections()

	req := newRequest(t, "/singleVerify", `{"deviceCode":"89852420180910340793"}`)
	req.URL.Host = srv.Listener.Addr().String()
	if err := testSigner().EditRequest(req.Context(), req); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n := writes.Load(); n != 1 {
		t.Errorf("the request took %d writes, want 1", n)
	}
}

func TestCheckSigned(t *testing.T) {
	s := testSigner()
	ctx := context.Background()
	signed := func(t *testing.T) *http.Request {
		req := newRequest(t, "/singleVerify", `{"a":"1"}`)
		if err := s.EditRequest(ctx, req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	const replaced = `^signing: request body was replaced after signing: the signing editor must run last`
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		err  string // regexp; "" means CheckSigned passes
	}{
		{"as signed", signed, ""},
		{"after a read", func(t *testing.T) *http.Request {
			req := signed(t)
			io.ReadAll(req.Body)
			return req
		}, ""},
		{"body from GetBody", func(t *testing.T) *http.Request {
			req := signed(t)
			req.Body, _ = req.GetBody()
			return req
		}, ""},
		{"later editor replaced the body", func(t *testing.T) *http.Request {
			req := signed(t)
			later := func(ctx context.Context, req *http.Request) error {
				b, _ := io.ReadAll(req.Body)
				b = bytes.Replace(b, []byte(`"a":"1"`), []byte(`"a":"2"`), 1)
				req.Body = io.NopCloser(bytes.NewReader(b))
				return nil
			}
			if err := later(ctx, req); err != nil {
				t.Fatal(err)
			}
			return req
		}, replaced},
		{"later editor wrapped the body", func(t *testing.T) *http.Request {
			req := signed(t)
			req.Body = io.NopCloser(req.Body)
			return req
		}, replaced},
		{"later editor replaced the body and GetBody", func(t *testing.T) *http.Request {
			req := signed(t)
			b, _ := io.ReadAll(req.Body)
			b = bytes.Replace(b, []byte(`"a":"1"`), []byte(`"a":"2"`), 1)
			req.Body = io.NopCloser(bytes.NewReader(b))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
			return req
		}, replaced},
		{"GetBody of another signed request", func(t *testing.T) *http.Request {
			req := signed(t)
			req.GetBody = signed(t).GetBody
			return req
		}, replaced},
		{"ContentLength changed", func(t *testing.T) *http.Request {
			req := signed(t)
			req.ContentLength++
			return req
		}, replaced + ` \(ContentLength is \d+, the signed body is \d+ bytes\)`},
		{"never signed", func(t *testing.T) *http.Request { return newRequest(t, "/singleVerify", `{}`) }, replaced},
		{"no body", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
			return req
		}, replaced},
		{"nil request", func(t *testing.T) *http.Request { return nil }, `request is nil`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req(t)
			err := CheckSigned(req)
			b, ok := SignedBytes(req)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("CheckSigned = %v", err)
				}
				if !ok || Verify(b) != nil {
					t.Errorf("SignedBytes = %s, %v", b, ok)
				}
				return
			}
			if err == nil || !regexp.MustCompile(tt.err).MatchString(err.Error()) {
				t.Fatalf("CheckSigned = %v, want %q", err, tt.err)
			}
			if req != nil && req.Body != nil && !errors.Is(err, ErrBodyReplaced) {
				t.Errorf("error does not wrap ErrBodyReplaced")
			}
			if ok || b != nil {
				t.Errorf("SignedBytes = %s, %v; want nil, false", b, ok)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	s := testSigner()
	done := make(chan error)
	for g := range 4 {
		go func() {
			var err error
			for i := 0; i < 200 && err == nil; i++ {
				var out []byte
				if out, err = s.SignBody([]byte(vectorBBody), "/singleServicePlanPage"); err == nil {
					err = Verify(out)
				}
				if sign, e := Sign([]byte(vectorABody)); e != nil || sign != signA {
					err = errors.Join(e, errors.New("wrong sign "+sign))
				}
				if g%2 == 0 {
					_, err = Canonical([]byte(`{"o":{"b":[1,{"y":1,"x":2}],"a":"\u00e9"}}`))
				}
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
