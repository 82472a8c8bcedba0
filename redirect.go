package vshop

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxRedirects is how many requests one attempt may make while following redirects: the answer to
// the last one, if it redirects again, ends the call with a [*RedirectError].
const MaxRedirects = 10

// ErrRedirect is wrapped by the error of a call whose answer redirected where the client does not
// follow (see [RedirectError]). Such a call is never retried.
var ErrRedirect = errors.New("redirect not followed")

// RedirectError is the error of a call whose answer redirected where the client does not follow:
// another scheme (https to http, http to https, file:// and so on), a host other than the base
// URL's that [WithRedirectHosts] does not allow, or one redirect more than [MaxRedirects]. Nothing is
// sent to Location. The call is never retried: the same request would be redirected again.
type RedirectError struct {
	Status   int    // the redirecting answer's HTTP status (301, 302, 303, 307 or 308)
	Location string // the URL it redirected to, resolved against the request's
	Reason   string // why it is not followed
}

// Error names the status, the Location and the reason.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("HTTP %d redirect to %s not followed (%s); nothing was sent there", e.Status, e.Location, e.Reason)
}

// Unwrap returns [ErrRedirect].
func (e *RedirectError) Unwrap() error { return ErrRedirect }

// WithRedirectHosts allows redirects to the given hosts as well as to the base URL's own. By default
// the client follows a redirect only to the same scheme and host (host and port) as the base URL,
// never from https to http and never to another host, so a signed request never leaves for a server
// you did not name. Each host is a name or IP address, optionally with a port ("api.example.com",
// "api.example.com:8443", "[::1]:8080"); without a port it means the scheme's default port (443 for
// https, 80 for http). The scheme must still be the base URL's.
func WithRedirectHosts(hosts ...string) Option {
	return func(c *config) error {
		for _, h := range hosts {
			a, err := parseRedirectHost(h)
			if err != nil {
				return fmt.Errorf("vshop: WithRedirectHosts: %w", err)
			}
			c.redirectHosts = append(c.redirectHosts, a)
		}
		return nil
	}
}

// redirectHost is a host that WithRedirectHosts allows; port "" means the scheme's default port.
type redirectHost struct{ name, port string }

func parseRedirectHost(h string) (redirectHost, error) {
	u, err := url.Parse("//" + h)
	if h == "" || err != nil || u.Host != h || u.Hostname() == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return redirectHost{}, fmt.Errorf("%q is not a host or host:port (write the host only, without scheme or path, e.g. api.example.com:8443)", h)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return redirectHost{}, fmt.Errorf("%q: port %q is not between 1 and 65535", h, p)
		}
	}
	return redirectHost{name: strings.ToLower(u.Hostname()), port: u.Port()}, nil
}

// hostPort is u's lower-case host name and its port, the scheme's default if u names none.
func hostPort(u *url.URL) (name, port string) {
	name, port = strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return name, port
}

// defaultPort is the port of a URL with scheme that names none.
func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// withRedirectPolicy returns a copy of hc (hc itself is not modified) whose CheckRedirect follows a
// redirect only to the first request's scheme and host, or to a host in allowed, at most
// MaxRedirects requests deep, and then asks hc's own CheckRedirect, if any.
func withRedirectPolicy(hc *http.Client, allowed []redirectHost) *http.Client {
	cp := *hc
	next := hc.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		refuse := func(format string, args ...any) error {
			return &RedirectError{Status: status, Location: req.URL.Redacted(), Reason: fmt.Sprintf(format, args...)}
		}
		first := via[0].URL
		if len(via) >= MaxRedirects {
			return refuse("%d requests already, the most the client makes for one attempt", len(via))
		}
		if !strings.EqualFold(req.URL.Scheme, first.Scheme) {
			return refuse("scheme %s, not the base URL's %s", req.URL.Scheme, first.Scheme)
		}
		name, port := hostPort(req.URL)
		if fn, fp := hostPort(first); name != fn || port != fp {
			ok := false
			for _, a := range allowed {
				ap := a.port
				if ap == "" {
					ap = defaultPort(first.Scheme)
				}
				if a.name == name && ap == port {
					ok = true
					break
				}
			}
			if !ok {
				return refuse("host %s is not the base URL's %s; allow it with WithRedirectHosts", req.URL.Host, first.Host)
			}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &cp
}
