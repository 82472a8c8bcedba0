package rawverify_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vshop-go/vshop/internal/rawverify"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// withSign replaces the placeholder SIGN in body by the MD5 of content, written out by hand in
// each case below.
func withSign(body, content string) string { return strings.Replace(body, "SIGN", md5Hex(content), 1) }

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		content string // the text the case signs (by hand), for SIGN in body
		want    error  // nil: accepted
	}{
		{
			name:    "documented vector A, as printed by Linksfield",
			body:    `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`,
			content: "",
		},
		{
			name: "documented vector B, sign between the fields, non-ASCII",
			body: `{"area":"欧洲","deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","sign":"3fdb15332726c77cd792ea2328f98a80","terminal":"0","tradeTime":"1645782486394","tradeType":"singleServicePlanPage","version":"3.0"}`,
		},
		{
			name:    "keys sorted by decoded key, whitespace between tokens ignored, empties dropped",
			body:    "{ \"z\" : \"1\" ,\n\"\\u0061\":\"2\", \"e\":\"\", \"n\":null, \"sign\":\"SIGN\"}",
			content: `{"\u0061":"2","z":"1"}`,
		},
		{
			name:    "raw text hashed: & < > U+2028 quotes backslashes control characters non-ASCII",
			body:    "{\"url\":\"a=1&b=<2>\",\"r\":\"x\u2028y\u2029z\",\"q\":\"\\\"C:\\\\\\n\\u001f\",\"a\":\"欧洲😀\",\"sign\":\"SIGN\"}",
			content: "{\"a\":\"欧洲😀\",\"q\":\"\\\"C:\\\\\\n\\u001f\",\"r\":\"x\u2028y\u2029z\",\"url\":\"a=1&b=<2>\"}",
		},
		{
			name:    "nested values and numbers as received",
			body:    `{"o":{"b":1,"a":[1.50,true]},"n":1e2,"sign":"SIGN"}`,
			content: `{"n":1e2,"o":{"b":1,"a":[1.50,true]}}`,
		},
		{
			// What the client sent before "send what you sign": the member keeps encoding/json's
			// escapes on the wire while the sign covers the decoded text. A server that decodes
			// first accepts it; one that hashes what it received does not.
			name:    "escaped on the wire, signed unescaped: rejected",
			body:    `{"deviceCode":"89852420180910340793","url":"a=1\u0026b=\u003c2\u003e","sign":"SIGN"}`,
			content: `{"deviceCode":"89852420180910340793","url":"a=1&b=<2>"}`,
			want:    rawverify.ErrBadSign,
		},
		{
			name:    "\\/ on the wire, / signed: rejected",
			body:    `{"url":"https:\/\/x","sign":"SIGN"}`,
			content: `{"url":"https://x"}`,
			want:    rawverify.ErrBadSign,
		},
		{name: "sign of another content", body: `{"a":"1","sign":"SIGN"}`, content: `{"a":"2"}`, want: rawverify.ErrBadSign},
		{name: "upper-case sign", body: `{"a":"1","sign":"` + strings.ToUpper(md5Hex(`{"a":"1"}`)) + `"}`, want: rawverify.ErrBadSign},
		{name: "sign not a string", body: `{"a":"1","sign":1}`, want: rawverify.ErrBadSign},
		{name: "no sign", body: `{"a":"1"}`, want: rawverify.ErrMissingSign},
		{name: "empty sign", body: `{"a":"1","sign":""}`, want: rawverify.ErrMissingSign},
		{name: "duplicate decoded key", body: `{"a":"1","\u0061":"2","sign":"x"}`, want: rawverify.ErrInvalid},
		{name: "not an object", body: `["sign"]`, want: rawverify.ErrInvalid},
		{name: "not JSON", body: `{"a":}`, want: rawverify.ErrInvalid},
		{name: "invalid UTF-8", body: "{\"a\":\"\xff\",\"sign\":\"x\"}", want: rawverify.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if strings.Contains(body, "SIGN") {
				body = withSign(body, tt.content)
			}
			err := rawverify.Verify([]byte(body))
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Verify(%s) = %v, want nil", body, err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Verify(%s) = %v, want %v", body, err, tt.want)
			}
		})
	}
}

func TestContent(t *testing.T) {
	got, err := rawverify.Content([]byte(`{"sign":"x", "b" : "\u0026" ,"a":{"y":[1, 2]},"c":null,"d":""}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":{"y":[1, 2]},"b":"\u0026"}`; string(got) != want {
		t.Errorf("Content = %s, want %s", got, want)
	}
}

func ExampleVerify() {
	// Signed over the raw text {"url":"a=1&b=<2>"}: the wire carries the member as signed.
	fmt.Println(rawverify.Verify([]byte(`{"url":"a=1&b=<2>","sign":"554a961be69983d051ab024fabb8f22e"}`)))
	// The same sign with the value escaped on the wire: what was received is not what was signed.
	err := rawverify.Verify([]byte(`{"url":"a=1\u0026b=\u003c2\u003e","sign":"554a961be69983d051ab024fabb8f22e"}`))
	fmt.Println(errors.Is(err, rawverify.ErrBadSign))
	// Output:
	// <nil>
	// true
}
