package vshop

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/signing"
)

// Base URLs of the Vshop service. ProductionURL and UATURL come from Linksfield's "Mall Global
// Specification"; CubeUATURL is the "Cube UAT" server shown on the documentation page of
// /queryAutoRenewalRecord (probably a documentation-tool default, kept because the page shows it).
const (
	ProductionURL = "https://wx.linksfield.net/vshop"
	UATURL        = "https://wx.linksfield.net/vshop_uat"
	CubeUATURL    = "https://api-uat.io.linksfield.net/cube/v4"
)

// Defaults used by [NewClient] when no option overrides them.
const (
	// DefaultTimeout bounds a whole call: connecting, sending, waiting and reading the answer.
	DefaultTimeout = 30 * time.Second
	// DefaultConnectTimeout bounds establishing a TCP connection.
	DefaultConnectTimeout = 10 * time.Second
)

// Option configures a client built by [NewClient].
type Option func(*config) error

type config struct {
	httpClient *http.Client
	now        func() time.Time
	version    string
}

// WithHTTPClient makes the client send requests with hc instead of the default client (which has
// [DefaultTimeout] and a transport tuned for a service). Use it to supply your own transport, proxy or
// TLS settings; hc's own timeout then applies.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("vshop: WithHTTPClient: the *http.Client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithClock replaces time.Now as the source of tradeTime. Tests use it to make signatures repeatable.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("vshop: WithClock: the clock function is nil")
		}
		c.now = now
		return nil
	}
}

// WithVersion sets the interface version filled into requests that leave it empty. The default is
// [signing.DefaultVersion] ("3.0"), the only version the Vshop pages document.
func WithVersion(v string) Option {
	return func(c *config) error {
		if v == "" {
			return errors.New("vshop: WithVersion: the version is empty")
		}
		c.version = v
		return nil
	}
}

// NewClient returns a typed Vshop client for the service at baseURL (for example [ProductionURL] or a
// sandbox's URL) that acts as the partner partnerCode.
//
// Every request the client sends is signed: partnerCode, version, tradeType (the operation's
// x-trade-type in the spec) and tradeTime are filled where the request leaves them empty, then sign is
// computed. The signer runs after any request editor given to the client, and the client refuses to
// send a request whose body was replaced after signing. Answers other than a success envelope come
// back as errors (see [APIError]).
func NewClient(baseURL, partnerCode string, opts ...Option) (*generated.ClientWithResponses, error) {
	if err := checkBaseURL(baseURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(partnerCode) == "" {
		return nil, errors.New("vshop: partnerCode is empty: pass the partner code Linksfield issued (for example P000270)")
	}
	cfg := config{version: signing.DefaultVersion}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.httpClient == nil {
		cfg.httpClient = defaultHTTPClient()
	}
	ops, err := operations()
	if err != nil {
		return nil, err
	}
	signer := &signing.Signer{
		PartnerCode: partnerCode,
		Version:     cfg.version,
		TradeTypes:  ops.tradeTypes,
		Now:         cfg.now,
	}
	d := &doer{client: cfg.httpClient, ops: ops}
	return generated.NewClientWithResponses(baseURL,
		generated.WithHTTPClient(d),
		generated.WithRequestEditorFn(signer.EditRequest),
	)
}

func checkBaseURL(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil {
		return fmt.Errorf("vshop: base URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("vshop: base URL %q: want an absolute http or https URL such as %s", baseURL, ProductionURL)
	}
	return nil
}

// defaultHTTPClient is an HTTP client for a service: bounded connect and overall time, keep-alive, and
// more idle connections per host than net/http's default of 2.
func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: DefaultConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: DefaultTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   DefaultConnectTimeout,
			ExpectContinueTimeout: time.Second,
		},
	}
}
