package vshoptest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/generated"
)

// PartnerCode is the partner code of the clients [Server.Client] returns: the one of Linksfield's
// examples. The fake accepts any partner code.
const PartnerCode = "P000270"

// Server is a fake Mall listening on a loopback port. Create one with [NewServer] in a test (or
// [Start] elsewhere); it is safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake, "http://127.0.0.1:PORT", with no trailing slash: pass it to
	// vshop.NewClient. The spec's paths are served at its root.
	URL string

	m  *mall
	hs *http.Server
	ln net.Listener
	t  testing.TB
}

// NewServer starts a fake Mall on a free port of 127.0.0.1 and closes it when the test ends
// (t.Cleanup). It fails the test at once when an option is invalid.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("vshoptest.NewServer: %v", err)
	}
	s.t = t
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake Mall listening on addr ("127.0.0.1:0" picks a free loopback port), for programs
// that are not tests, such as `vshop sandbox`, and for examples. Close it (or Shutdown) when done.
// It fails when an option is invalid or addr cannot be listened on.
func Start(addr string, opts ...Option) (*Server, error) {
	m, err := newMall(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("vshoptest: %w", err)
	}
	l := m.limits
	hs := &http.Server{
		Handler:           m.handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	s := &Server{URL: "http://" + ln.Addr().String(), m: m, hs: hs, ln: ln}
	go func() { _ = hs.Serve(ln) }() // Serve returns http.ErrServerClosed once closed
	return s, nil
}

// Addr is the address the fake listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the fake at once, closing every connection, even with requests in progress. Closing
// it twice is harmless.
func (s *Server) Close() {
	_ = s.hs.Close()
	_ = s.ln.Close() // in case Serve had not taken the listener over yet
}

// Shutdown stops the fake gracefully: it stops accepting connections, closes idle ones and waits for
// the requests in progress to end, or for ctx to end (then it returns ctx's error and leaves the
// rest to Close).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.hs.Shutdown(ctx)
	_ = s.ln.Close() // in case Serve had not taken the listener over yet
	return err
}

// Handler returns the fake's HTTP handler, for mounting it in a server of your own or behind your
// own middleware. It shares the state, faults and recorded requests of s; the limits on time
// (Limits.ReadTimeout and the others) are those of the server that serves it.
func (s *Server) Handler() http.Handler { return s.m.handler }

// Client returns a vshop client for the fake, acting as the partner [PartnerCode], with the fake's
// clock (so that its tradeTime is the fake's "now") and short retry waits (1 ms to 20 ms, so that a
// test of retries runs fast; a Retry-After still wins). opts come after these and may override them.
// An invalid option fails the test of a server from [NewServer]; on a server from [Start], Client
// panics, as regexp.MustCompile does.
func (s *Server) Client(opts ...vshop.Option) *vshop.Client {
	all := append([]vshop.Option{
		vshop.WithClock(s.m.now),
		vshop.WithRetryWait(time.Millisecond, 20*time.Millisecond),
	}, opts...)
	c, err := vshop.NewClient(s.URL, PartnerCode, all...)
	if err != nil {
		if s.t != nil {
			s.t.Helper()
			s.t.Fatalf("vshoptest: Server.Client: %v", err)
		}
		panic(fmt.Sprintf("vshoptest: Server.Client: %v", err))
	}
	return c
}

// Now is the fake's clock (see [WithClock]).
func (s *Server) Now() time.Time { return s.m.now() }

// Cards returns the seeded test cards, in a stable order: the ICCIDs from Linksfield's documentation
// first, then the fake's own. It describes the seed, not the current state, and leaves out cards
// added by [WithCards].
func (s *Server) Cards() []Card { return append([]Card(nil), s.m.seedCards...) }

// Plans returns the plan catalogue, grouped by area (欧洲, 亚洲, 全球) in a stable order.
func (s *Server) Plans() []Plan { return append([]Plan(nil), s.m.plans...) }

// Requests returns the requests the fake received, oldest first: the most recent ones within
// Limits.MaxRecorded and Limits.MaxRecordedBytes. A request still being answered is listed with
// Status 0.
func (s *Server) Requests() []Request { return s.m.log.list() }

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() { s.m.log.reset() }

// FailNext makes the next n calls of operation (an operationId of the spec, such as "listPlans")
// answer with f instead of the fake's own answer. Faults set by several calls are used in the order
// they were set, before any set by FailAlways. It returns an error, and fails the test of a server
// from [NewServer], when operation is not one of the spec's, n is below 1 or f is invalid.
func (s *Server) FailNext(operation string, n int, f Fault) error {
	if n < 1 {
		return s.report(fmt.Errorf("vshoptest: FailNext(%q, %d): n must be at least 1", operation, n))
	}
	return s.setFault(operation, n, f)
}

// FailAlways makes every call of operation answer with f (after any set by FailNext), until
// [Server.ClearFaults]. Its errors are those of FailNext.
func (s *Server) FailAlways(operation string, f Fault) error { return s.setFault(operation, -1, f) }

// ClearFaults removes every fault set by FailNext and FailAlways.
func (s *Server) ClearFaults() { s.m.faults.clear() }

func (s *Server) setFault(operation string, n int, f Fault) error {
	if _, ok := s.m.opByID[operation]; !ok {
		ids := make([]string, 0, len(s.m.opByID))
		for id := range s.m.opByID {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return s.report(fmt.Errorf("vshoptest: no operation %q: want one of %v", operation, ids))
	}
	if err := f.check(); err != nil {
		return s.report(err)
	}
	s.m.faults.add(operation, n, f)
	return nil
}

// report fails the test of a server from NewServer with err (without stopping it) and returns err.
func (s *Server) report(err error) error {
	if s.t != nil {
		s.t.Helper()
		s.t.Error(err)
	}
	return err
}

// Order is an order the fake holds, as [Server.Orders] shows it.
type Order struct {
	// Operation is the operationId that created it: createOrder or syncThirdPartyOrder.
	Operation string
	// PartnerCode, DeviceCode, OrderNo and PayID are the order's (generated when createOrder left
	// orderNo or payId out).
	PartnerCode, DeviceCode, OrderNo, PayID string
	// Plan is the catalogue's plan ordered.
	Plan Plan
	// OrderPeriod, PayAmount and PayCurrency are as the request sent them.
	OrderPeriod, PayAmount, PayCurrency string
	// AutoRenewal is the request's autoRenewal ("0" when it was left out).
	AutoRenewal generated.AutoRenewal
	// InUse reports whether the order is the card's order in use; ExpireDate (yyyy-MM-dd) is set then.
	InUse      bool
	ExpireDate string
}

// Orders returns the orders of the card deviceCode in creation order (the seeded ones included), or
// an error when it is not a card of the fake.
func (s *Server) Orders(deviceCode string) ([]Order, error) {
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cards[deviceCode]
	if !ok {
		return nil, fmt.Errorf("vshoptest: %s is not a card of the fake", deviceCode)
	}
	out := make([]Order, 0, len(c.orders))
	for _, o := range c.orders {
		op := "createOrder"
		if o.source == pathSyncOrder {
			op = "syncThirdPartyOrder"
		}
		ord := Order{Operation: op, PartnerCode: o.partnerCode, DeviceCode: o.deviceCode, OrderNo: o.orderNo,
			PayID: o.payID, Plan: o.plan, OrderPeriod: o.periodText, PayAmount: o.payAmount, PayCurrency: o.payCurrency,
			AutoRenewal: o.autoRenewal, InUse: o.inUse}
		if o.inUse {
			ord.ExpireDate = o.expire.Format(time.DateOnly)
		}
		out = append(out, ord)
	}
	return out, nil
}

// AutoRenewals returns the auto-renewals in force of the card deviceCode, oldest first, as
// listAutoRenewals answers them, or an error when it is not a card of the fake.
func (s *Server) AutoRenewals(deviceCode string) ([]generated.AutoRenewalRecord, error) {
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cards[deviceCode]
	if !ok {
		return nil, fmt.Errorf("vshoptest: %s is not a card of the fake", deviceCode)
	}
	return append([]generated.AutoRenewalRecord(nil), c.renewals...), nil
}
