package vshop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vshop-go/vshop/internal/rawverify"
)

// countingListener counts the connections a test server accepts.
type countingListener struct {
	net.Listener
	accepts atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepts.Add(1)
	}
	return c, err
}

// hop is a loopback test server (127.0.0.1, its own port, so its own host) that records the bodies it
// receives and counts its connections; answer decides the reply to each request.
type hop struct {
	srv    *httptest.Server
	ln     *countingListener
	mu     sync.Mutex
	bodies [][]byte
}

func newHop(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *hop {
	t.Helper()
	h := &hop{}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		n := len(h.bodies)
		h.mu.Unlock()
		answer(w, r, n)
	}))
	h.ln = &countingListener{Listener: h.srv.Listener}
	h.srv.Listener = h.ln
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hop) received() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies)
}

// succeed answers a bare success envelope, which decodes for verifyCard and createOrder.
func succeed(w http.ResponseWriter, _ *http.Request, _ int) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"operateCode":"S","message":"success","data":{}}`)
}

// redirectTo answers every request with status and Location loc (path appended when loc ends in /).
func redirectTo(status int, loc string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		if strings.HasSuffix(loc, "/") {
			w.Header().Set("Location", loc+strings.TrimPrefix(r.URL.Path, "/"))
		} else {
			w.Header().Set("Location", loc)
		}
		w.WriteHeader(status)
	}
}

// redirectCalls are the calls the redirect tests make: a read-only call (retried by default) and a
// create with its ids (also retried by default), the order that a followed 302 reported as placed.
var redirectCalls = []struct {
	name string
	path string
	call func(c *Client) error
}{
	{"verifyCard", "/vshop/singleVerify", func(c *Client) error {
		_, err := c.VerifyCard(context.Background(), VerifyCardRequest{
			DeviceCode: "89852420180910340793", LanguageCode: LanguageEnglish,
			Mark: MarkLinksfieldCard, Terminal: TerminalPC, Url: "https://dist.linksfield.net/login",
		})
		return err
	}},
	{"createOrder", "/vshop/singleOrder", func(c *Client) error {
		_, err := c.CreateOrder(context.Background(), CreateOrderRequest{
			AutoRenewal: AutoRenewalOff, DeviceCode: "89860220190905123941", LanguageCode: LanguageChinese,
			Mark: MarkLinksfieldCard, OrderNo: "2020061214140465562", OrderPeriod: "1",
			PackageCode: "PACKAGE20180428000007", PayAmount: "4.99", PayCurrency: "USD",
			PayId: "P0008182020061214140465562", ServicePlanCode: "SP1", Terminal: TerminalMobile,
		})
		return err
	}},
}

// newRedirectClient is a client for base whose retries do not wait.
func newRedirectClient(t *testing.T, base string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(base, "P000270", append([]Option{WithRetryWait(0, 0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantRedirectError checks that err is a *RedirectError for location, named in its message.
func wantRedirectError(t *testing.T, err error, location string) *RedirectError {
	t.Helper()
	var re *RedirectError
	if !errors.As(err, &re) || !errors.Is(err, ErrRedirect) {
		t.Fatalf("err = %v, want a *RedirectError", err)
	}
	if re.Location != location || !strings.Contains(err.Error(), location) {
		t.Errorf("Location %q, error %q; want both to name %s", re.Location, err, location)
	}
	return re
}

// TestRedirectToAnotherHostRefused: a redirect of any kind to another host sends nothing there (its
// listener sees no connection), fails naming the Location, and is not retried.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, rc := range redirectCalls {
			t.Run(http.StatusText(status)+"/"+rc.name, func(t *testing.T) {
				other := newHop(t, succeed)
				front := newHop(t, redirectTo(status, other.srv.URL+"/"))
				err := rc.call(newRedirectClient(t, front.srv.URL+"/vshop"))
				if err == nil {
					t.Fatal("the call succeeded, although its request was redirected to another host")
				}
				re := wantRedirectError(t, err, other.srv.URL+rc.path)
				if re.Status != status {
					t.Errorf("Status = %d, want %d", re.Status, status)
				}
				if n := other.ln.accepts.Load(); n != 0 {
					t.Errorf("the other host accepted %d connections, want 0", n)
				}
				if n := len(front.received()); n != 1 {
					t.Errorf("the redirecting server got %d requests, want 1 (never retried)", n)
				}
			})
		}
	}
}

// TestRedirectSameHostFollowed: a 307 or 308 to the same host is followed, and the second hop gets
// the same signed body, which verifies over its raw text.
func TestRedirectSameHostFollowed(t *testing.T) {
	for _, status := range []int{307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			h := newHop(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if strings.HasPrefix(r.URL.Path, "/old/") {
					redirectTo(status, "/moved/"+strings.TrimPrefix(r.URL.Path, "/old/"))(w, r, n)
					return
				}
				succeed(w, r, n)
			})
			if err := redirectCalls[1].call(newRedirectClient(t, h.srv.URL+"/old")); err != nil {
				t.Fatal(err)
			}
			got := h.received()
			if len(got) != 2 || !bytes.Equal(got[0], got[1]) {
				t.Fatalf("got %d bodies %q, want the same body twice", len(got), got)
			}
			if err := rawverify.Verify(got[1]); err != nil {
				t.Errorf("the second hop's body does not verify: %v", err)
			}
		})
	}
}

// TestRedirectLoopNotRetried: a redirect loop costs exactly MaxRedirects requests, not one series per
// retry.
func TestRedirectLoopNotRetried(t *testing.T) {
	h := newHop(t, redirectTo(http.StatusTemporaryRedirect, "/vshop/singleVerify"))
	err := redirectCalls[0].call(newRedirectClient(t, h.srv.URL+"/vshop"))
	if n := len(h.received()); n != MaxRedirects {
		t.Errorf("the server got %d requests, want %d", n, MaxRedirects)
	}
	wantRedirectError(t, err, h.srv.URL+"/vshop/singleVerify")
}

// TestRedirectToOtherSchemesRefused: file:// is refused before anything is tried (one request, no
// retry), and so is https to http even to an allowed host.
func TestRedirectToOtherSchemesRefused(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		h := newHop(t, redirectTo(http.StatusFound, "file:///etc/passwd"))
		err := redirectCalls[0].call(newRedirectClient(t, h.srv.URL+"/vshop"))
		if n := len(h.received()); n != 1 {
			t.Errorf("the server got %d requests, want 1", n)
		}
		wantRedirectError(t, err, "file:///etc/passwd")
	})
	t.Run("https to http", func(t *testing.T) {
		plain := newHop(t, succeed)
		tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			redirectTo(http.StatusTemporaryRedirect, plain.srv.URL+"/")(w, r, 0)
		}))
		defer tlsSrv.Close()
		hc := tlsSrv.Client()
		err := redirectCalls[0].call(newRedirectClient(t, tlsSrv.URL+"/vshop", WithHTTPClient(hc),
			WithRedirectHosts(plain.srv.Listener.Addr().String())))
		re := wantRedirectError(t, err, plain.srv.URL+"/vshop/singleVerify")
		if !strings.Contains(re.Reason, "scheme http") {
			t.Errorf("Reason %q does not name the scheme", re.Reason)
		}
		if n := plain.ln.accepts.Load(); n != 0 {
			t.Errorf("the http server accepted %d connections, want 0", n)
		}
		if hc.CheckRedirect != nil {
			t.Error("WithHTTPClient modified the caller's *http.Client")
		}
	})
}

// TestWithRedirectHosts: an allowed host is followed, with the same signed body.
func TestWithRedirectHosts(t *testing.T) {
	other := newHop(t, succeed)
	front := newHop(t, redirectTo(http.StatusPermanentRedirect, other.srv.URL+"/"))
	c := newRedirectClient(t, front.srv.URL+"/vshop", WithRedirectHosts("example.com", other.srv.Listener.Addr().String()))
	if err := redirectCalls[1].call(c); err != nil {
		t.Fatal(err)
	}
	a, b := front.received(), other.received()
	if len(a) != 1 || len(b) != 1 || !bytes.Equal(a[0], b[0]) {
		t.Fatalf("front got %q, other got %q; want the same body once each", a, b)
	}
	if err := rawverify.Verify(b[0]); err != nil {
		t.Errorf("the redirected body does not verify: %v", err)
	}
}

// TestRedirectKeepsCallersPolicy: the caller's own CheckRedirect is asked after the client's; a
// redirect it declines is an error (the 3xx as *APIError), never a success.
func TestRedirectKeepsCallersPolicy(t *testing.T) {
	h := newHop(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/vshop/singleVerify" {
			redirectTo(http.StatusTemporaryRedirect, "/moved/singleVerify")(w, r, n)
			return
		}
		succeed(w, r, n)
	})
	var asked atomic.Int64
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		asked.Add(1)
		return http.ErrUseLastResponse
	}}
	err := redirectCalls[0].call(newRedirectClient(t, h.srv.URL+"/vshop", WithHTTPClient(hc)))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want an *APIError with status 307", err)
	}
	if asked.Load() != 1 || len(h.received()) != 1 {
		t.Errorf("the caller's CheckRedirect was asked %d times, the server got %d requests; want 1 and 1", asked.Load(), len(h.received()))
	}
}

// TestRedirectWithoutLocation: a 3xx without Location is not followed and is an error.
func TestRedirectWithoutLocation(t *testing.T) {
	h := newHop(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusFound) })
	err := redirectCalls[1].call(newRedirectClient(t, h.srv.URL+"/vshop"))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusFound {
		t.Fatalf("err = %v, want an *APIError with status 302", err)
	}
	if n := len(h.received()); n != 1 {
		t.Errorf("the server got %d requests, want 1", n)
	}
}

func TestWithRedirectHostsRefusesBadHosts(t *testing.T) {
	for _, h := range []string{"", "https://example.com", "example.com/path", "example.com:0", "example.com:70000", "user@example.com", "example.com?q", ":8080"} {
		t.Run(h, func(t *testing.T) {
			_, err := NewClient("https://example.com", "P000270", WithRedirectHosts(h))
			if err == nil || !strings.Contains(err.Error(), "WithRedirectHosts") {
				t.Errorf("WithRedirectHosts(%q): err = %v, want an error naming the option", h, err)
			}
		})
	}
}
