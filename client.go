package vshop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

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
	// DefaultTimeout bounds a whole call: every attempt, the waits between them, and reading the answer.
	DefaultTimeout = 30 * time.Second
	// DefaultConnectTimeout bounds establishing a TCP connection (and the TLS handshake) of the default
	// HTTP client.
	DefaultConnectTimeout = 10 * time.Second
	// DefaultMaxIdleConnsPerHost is how many idle keep-alive connections the default HTTP client keeps
	// to the Vshop server (net/http's default is 2, too few for a service making concurrent calls).
	DefaultMaxIdleConnsPerHost = 16
)

// Option configures a client built by [NewClient].
type Option func(*config) error

type config struct {
	httpClient     *http.Client
	now            func() time.Time
	version        string
	timeout        time.Duration
	connectTimeout time.Duration
	connectSet     bool
	maxBytes       int64
	validate       bool
	retryMax       int
	waitMin        time.Duration
	waitMax        time.Duration
	retrySafe      RetrySafe
	checkRetry     CheckRetry
	backoff        Backoff
	sleep          func(context.Context, time.Duration) error
	logger         *slog.Logger
	mask           func(string) string
	language       LanguageCode
	mark           Mark
	terminal       Terminal
	redirectHosts  []redirectHost
}

// WithHTTPClient makes the client send requests with hc instead of the default client (a transport
// tuned for a service: keep-alive, [DefaultMaxIdleConnsPerHost] idle connections per host,
// [DefaultConnectTimeout] to connect). Use it to supply your own transport, proxy or TLS settings.
// hc.Timeout, if set, bounds each attempt; WithTimeout still bounds the whole call. The client sends
// with a copy of hc that follows redirects only as [WithRedirectHosts] says, then asks hc's own
// CheckRedirect, if any; hc itself is not modified.
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
// The clock must read a time whose epoch milliseconds have 13 digits (2001 to 2286), or calls fail.
// Retries take a fresh tradeTime from the same clock, so give a clock that advances if the server
// checks that attempts differ.
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

// WithTimeout bounds each call as a whole: every attempt, the waits between retries and reading the
// answer. The default is [DefaultTimeout]; 0 means no bound beyond the caller's context. A call that
// runs out of time returns an error naming the operation for which
// errors.Is(err, context.DeadlineExceeded) holds. The caller's own context deadline applies as well,
// whichever comes first.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("vshop: WithTimeout: negative timeout %v", d)
		}
		c.timeout = d
		return nil
	}
}

// WithConnectTimeout bounds establishing a connection (TCP connect, then TLS handshake) of the default
// HTTP client. The default is [DefaultConnectTimeout]. It cannot be combined with WithHTTPClient:
// configure your own client's dialer instead.
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("vshop: WithConnectTimeout: the timeout must be positive, got %v", d)
		}
		c.connectTimeout, c.connectSet = d, true
		return nil
	}
}

// WithMaxResponseBytes sets the largest answer the client reads. A larger one ends the call with an
// error wrapping [ErrResponseTooLarge] after reading at most n+1 bytes (none, when the server announces
// the length), so a runaway server cannot exhaust memory. The default is [DefaultMaxResponseBytes].
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("vshop: WithMaxResponseBytes: the limit must be positive, got %d", n)
		}
		c.maxBytes = n
		return nil
	}
}

// WithValidation turns validation before send on (the default) or off. When on, the fully signed body
// of every request is checked against the spec before it leaves; a request that breaks it ends in a
// [*ValidationError] naming the field and the rule, and nothing is sent. Turn it off only if the spec
// is stricter than the server you talk to, or to shave the validation's cost (some microseconds per
// call, see the package documentation).
func WithValidation(on bool) Option {
	return func(c *config) error {
		c.validate = on
		return nil
	}
}

// WithRetryMax sets how many times a call may be retried after its first attempt. The default is
// [DefaultRetryMax]; 0 turns retries off. Which calls may be retried at all is up to the [RetrySafe]
// policy (WithRetrySafe), which attempts are retried up to [CheckRetry] (WithCheckRetry).
func WithRetryMax(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("vshop: WithRetryMax: negative retry count %d", n)
		}
		c.retryMax = n
		return nil
	}
}

// WithRetryWait sets the min and max handed to the [Backoff] policy. With [DefaultBackoff], min is the
// base of the exponential backoff and max caps it. The defaults are [DefaultRetryWaitMin] and
// [DefaultRetryWaitMax].
func WithRetryWait(min, max time.Duration) Option {
	return func(c *config) error {
		if min < 0 || max < min {
			return fmt.Errorf("vshop: WithRetryWait: want 0 <= min <= max, got min %v, max %v", min, max)
		}
		c.waitMin, c.waitMax = min, max
		return nil
	}
}

// WithRetrySafe replaces [DefaultRetrySafe], the policy that says which requests may be sent more than
// once. Compose rather than fork: wrap DefaultRetrySafe and change only the case you need.
func WithRetrySafe(p RetrySafe) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("vshop: WithRetrySafe: the policy is nil")
		}
		c.retrySafe = p
		return nil
	}
}

// WithCheckRetry replaces [DefaultCheckRetry], the policy that says which attempts to retry.
func WithCheckRetry(p CheckRetry) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("vshop: WithCheckRetry: the policy is nil")
		}
		c.checkRetry = p
		return nil
	}
}

// WithBackoff replaces [DefaultBackoff], the policy that says how long to wait before a retry.
func WithBackoff(p Backoff) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("vshop: WithBackoff: the policy is nil")
		}
		c.backoff = p
		return nil
	}
}

// WithLogger makes the client log through l (the default, or a nil l, logs nothing). Each call writes
// one line, "vshop call", with operation, tradeType, device (masked), status (HTTP, 0 when there was
// no answer), operateCode, attempts, latency and, when the call failed, error: at Info level when the
// call succeeded and at Warn when it failed. At Debug level the client also writes each attempt's
// request and response bodies ("vshop request", "vshop response") and each retry ("vshop retry").
// Device codes are masked everywhere (see WithDeviceMasking).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithDeviceMasking replaces [MaskDevice], the function that hides device codes (ICCIDs, IMEIs) in log
// lines, error messages that are logged and debug bodies. To log device codes in full, pass a
// function that returns its argument.
func WithDeviceMasking(mask func(code string) string) Option {
	return func(c *config) error {
		if mask == nil {
			return errors.New("vshop: WithDeviceMasking: the function is nil (to log device codes in full, pass func(s string) string { return s })")
		}
		c.mask = mask
		return nil
	}
}

// Client-wide defaults of the request fields every operation takes, used where a request leaves them
// empty (see [WithLanguage], [WithMark], [WithTerminal]).
const (
	// DefaultLanguage is English: the portal's examples send "1" as often as "0" (Chinese), and the
	// API's English pages are the reference this client follows (vshop-go's choice).
	DefaultLanguage = LanguageEnglish
	// DefaultMark is "0", the card belongs to Linksfield: the docs say to send 0 by default.
	DefaultMark = MarkLinksfieldCard
	// DefaultTerminal is "0", mobile: the H5 mall is a mobile page (vshop-go's choice; the docs give
	// no default).
	DefaultTerminal = TerminalMobile
)

// WithLanguage sets the languageCode sent when a request leaves it empty. The default is
// [DefaultLanguage].
func WithLanguage(l LanguageCode) Option {
	return func(c *config) error {
		if l.Name() == "" {
			return fmt.Errorf("vshop: WithLanguage: %q is not a language code of the spec (use a Language constant, e.g. vshop.LanguageEnglish)", string(l))
		}
		c.language = l
		return nil
	}
}

// WithMark sets the mark (card ownership flag) sent when a request leaves it empty. The default is
// [DefaultMark].
func WithMark(m Mark) Option {
	return func(c *config) error {
		if m.Name() == "" {
			return fmt.Errorf("vshop: WithMark: %q is not a mark of the spec (use vshop.MarkLinksfieldCard or vshop.MarkOtherCard)", string(m))
		}
		c.mark = m
		return nil
	}
}

// WithTerminal sets the terminal (device type) sent when a request leaves it empty. The default is
// [DefaultTerminal].
func WithTerminal(t Terminal) Option {
	return func(c *config) error {
		if t.Name() == "" {
			return fmt.Errorf("vshop: WithTerminal: %q is not a terminal of the spec (use vshop.TerminalMobile or vshop.TerminalPC)", string(t))
		}
		c.terminal = t
		return nil
	}
}

// withSleep replaces the wait between attempts (tests).
func withSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(c *config) error {
		c.sleep = sleep
		return nil
	}
}

// Client is a Vshop client: one typed method per operation of the spec (VerifyCard, ListPlans,
// CreateOrder, ListOrders, ListAutoRenewals, CancelAutoRenewal, SyncThirdPartyOrder), each taking the
// operation's own fields and returning its reply's data. Make one with [NewClient]; it is safe for
// concurrent use, and meant to be shared.
type Client struct {
	cfg      config
	partner  string
	urls     [len(operationTable)]*url.URL // the base URL joined with each operation's path; never modified
	language string
	mark     string
	terminal string
}

// NewClient returns a Vshop client for the service at baseURL (for example [UATURL], [ProductionURL]
// or a vshoptest server's URL) that acts as the partner partnerCode. Without options it signs every
// request, validates it before sending, bounds each call by [DefaultTimeout], retries only what may be
// repeated (see [DefaultRetrySafe]), follows no redirect to another host, and logs nothing.
//
// Every request is signed: the client fills partnerCode, version ([signing.DefaultVersion] unless
// WithVersion), tradeType (the operation's x-trade-type in the spec) and tradeTime (from the clock,
// WithClock), computes sign, and sends the signed members exactly as they were signed. Each retry is
// signed anew with a fresh tradeTime. Answers other than a success envelope come back as errors (see
// [APIError], [DecodeError], [ValidationError]).
//
// NewClient does not read the spec: what it needs was generated from it. It costs a few
// microseconds (BenchmarkNewClient).
func NewClient(baseURL, partnerCode string, opts ...Option) (*Client, error) {
	if err := checkBaseURL(baseURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(partnerCode) == "" {
		return nil, errors.New("vshop: partnerCode is empty: pass the partner code Linksfield issued (for example P000270)")
	}
	if !utf8.ValidString(partnerCode) {
		return nil, fmt.Errorf("vshop: partnerCode %q is not valid UTF-8", partnerCode)
	}
	cfg := config{
		version:        signing.DefaultVersion,
		timeout:        DefaultTimeout,
		connectTimeout: DefaultConnectTimeout,
		maxBytes:       DefaultMaxResponseBytes,
		validate:       true,
		retryMax:       DefaultRetryMax,
		waitMin:        DefaultRetryWaitMin,
		waitMax:        DefaultRetryWaitMax,
		retrySafe:      DefaultRetrySafe,
		checkRetry:     DefaultCheckRetry,
		backoff:        DefaultBackoff,
		sleep:          sleepContext,
		mask:           MaskDevice,
		now:            time.Now,
		language:       DefaultLanguage,
		mark:           DefaultMark,
		terminal:       DefaultTerminal,
	}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if !utf8.ValidString(cfg.version) {
		return nil, fmt.Errorf("vshop: WithVersion: %q is not valid UTF-8", cfg.version)
	}
	if cfg.httpClient == nil {
		cfg.httpClient = defaultHTTPClient(cfg.connectTimeout)
	} else if cfg.connectSet {
		return nil, errors.New("vshop: WithConnectTimeout configures the default HTTP client; with WithHTTPClient, set the timeout on your client's dialer")
	}
	cfg.httpClient = withRedirectPolicy(cfg.httpClient, cfg.redirectHosts) // a copy: the caller's is not changed
	c := &Client{cfg: cfg, partner: partnerCode,
		language: string(cfg.language), mark: string(cfg.mark), terminal: string(cfg.terminal)}
	base := strings.TrimSuffix(baseURL, "/")
	for i, op := range operationTable {
		u, err := url.Parse(base + op.Path)
		if err != nil {
			return nil, fmt.Errorf("vshop: base URL %q with the path %s: %w", baseURL, op.Path, err)
		}
		c.urls[i] = u
	}
	return c, nil
}

// languageOr, markOr and terminalOr return a request's value, or the client's default for "".
func (c *Client) languageOr(v LanguageCode) string {
	if v == "" {
		return c.language
	}
	return string(v)
}

func (c *Client) markOr(v Mark) string {
	if v == "" {
		return c.mark
	}
	return string(v)
}

func (c *Client) terminalOr(v Terminal) string {
	if v == "" {
		return c.terminal
	}
	return string(v)
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

// defaultHTTPClient is an HTTP client for a service: bounded connect time, keep-alive, and more idle
// connections per host than net/http's default of 2. It has no overall timeout of its own: the client
// bounds each call with a context (WithTimeout), across retries.
func defaultHTTPClient(connectTimeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   DefaultMaxIdleConnsPerHost,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   connectTimeout,
			ExpectContinueTimeout: time.Second,
		},
	}
}
