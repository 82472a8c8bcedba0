package vshop_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vshop-go/vshop"
)

// A Vshop server that moved to another host answers 308 Permanent Redirect. The client does not
// follow it, so the signed request never reaches a host you did not name, unless you allow that
// host with WithRedirectHosts.
func ExampleWithRedirectHosts() {
	newHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"operateCode":"S","message":"success","data":{}}`)
	}))
	defer newHost.Close()
	oldHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, newHost.URL+r.URL.Path, http.StatusPermanentRedirect)
	}))
	defer oldHost.Close()
	verify := func(opts ...vshop.Option) error {
		c, err := vshop.NewClient(oldHost.URL+"/vshop", "P000270", opts...)
		if err != nil {
			return err
		}
		_, err = c.VerifyCard(context.Background(), vshop.VerifyCardRequest{
			DeviceCode: "89852420180910340793", LanguageCode: vshop.LanguageEnglish,
			Mark: vshop.MarkLinksfieldCard, Terminal: vshop.TerminalPC, Url: "https://dist.linksfield.net/login",
		})
		return err
	}

	err := verify()
	var re *vshop.RedirectError
	fmt.Println(errors.As(err, &re), re.Status, re.Location == newHost.URL+"/vshop/singleVerify")

	err = verify(vshop.WithRedirectHosts(strings.TrimPrefix(newHost.URL, "http://")))
	fmt.Println(err)
	// Output:
	// true 308 true
	// <nil>
}
