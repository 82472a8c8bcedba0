package signing_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/vshop-go/vshop/signing"
)

// The documented /singleVerify request (test vector A).
func ExampleSign() {
	body := []byte(`{
    "deviceCode": "89852420180910340793",
    "languageCode": "1",
    "mark": "0",
    "partnerCode": "P000270",
    "terminal": "1",
    "tradeTime": "1645683857572",
    "tradeType": "singleVerify",
    "url": "https://dist.linksfield.net/login",
    "version": "3.0"
}`)
	sign, err := signing.Sign(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sign)
	// Output: ea7a3bba7e345e0b8ca7f7e3b43d6e72
}

// The canonical form sorts the keys, drops sign, null and "", and writes
// strings from their decoded value.
func ExampleCanonical() {
	content, err := signing.Canonical([]byte(`{"url": "https:\/\/example.com\/?a=1&b=<2>", "area": "\u6b27\u6d32", "sign": "x", "orgOrderId": "", "amount": 1.50}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(content))
	// Output: {"amount":1.50,"area":"欧洲","url":"https://example.com/?a=1&b=<2>"}
}

// A client signs each request last, just before it is sent; here against a
// local server that verifies what it receives.
func ExampleSigner_EditRequest() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := signing.Verify(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Printf("server received %s\n", body)
		io.WriteString(w, `{"operateCode":"S","message":"success"}`)
	}))
	defer srv.Close()

	signer := &signing.Signer{
		PartnerCode: "P000270",
		TradeTypes:  map[string]string{"/singleVerify": "singleVerify"},
		Now:         func() time.Time { return time.UnixMilli(1645683857572) }, // usually nil: time.Now
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/vshop/singleVerify", strings.NewReader(
		`{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","terminal":"1","url":"https://dist.linksfield.net/login"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	// With a generated client: generated.WithRequestEditorFn(signer.EditRequest).
	if err := signer.EditRequest(req.Context(), req); err != nil {
		fmt.Println(err)
		return
	}
	// An HTTP doer checks that no editor replaced the body afterwards.
	if err := signing.CheckSigned(req); err != nil {
		fmt.Println(err)
		return
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(reply))
	// Output:
	// server received {"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","terminal":"1","url":"https://dist.linksfield.net/login","partnerCode":"P000270","version":"3.0","tradeType":"singleVerify","tradeTime":"1645683857572","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}
	// 200 OK {"operateCode":"S","message":"success"}
}

// A server verifies the body exactly as received (test vector B, with its
// sign in the middle), before decoding it.
func ExampleVerify() {
	body := `{"area":"欧洲","deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270",` +
		`"sign":"3fdb15332726c77cd792ea2328f98a80","terminal":"0","tradeTime":"1645782486394","tradeType":"singleServicePlanPage","version":"3.0"}`
	fmt.Println(signing.Verify([]byte(body)))

	tampered := strings.Replace(body, "欧洲", "亚洲", 1)
	err := signing.Verify([]byte(tampered))
	fmt.Println(errors.Is(err, signing.ErrBadSign), err)

	err = signing.Verify([]byte(`{"partnerCode":"P000270"}`))
	fmt.Println(errors.Is(err, signing.ErrMissingSign))

	err = signing.Verify([]byte(`{"partnerCode":"P000270","partnerCode":"P000271"}`))
	fmt.Println(errors.Is(err, signing.ErrInvalidBody), err)
	// Output:
	// <nil>
	// true signing: bad sign: the body's sign does not match its content (expected the lowercase hex MD5 of its canonical form)
	// true
	// true signing: invalid JSON body: byte offset 25: duplicate key "partnerCode" (also at byte offset 1)
}
