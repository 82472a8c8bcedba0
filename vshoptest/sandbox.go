package vshoptest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/internal/specvalidate"
)

// FailureCode is the operateCode of every failure envelope the fake sends of its own accord (a fault
// sends the code it was given). It is the fake's own choice: Linksfield documents only "S" (success).
const FailureCode = "F"

// SuccessCode is the operateCode of a success envelope, the only code Linksfield documents.
const SuccessCode = "S"

// MaxOrderPeriod is the largest orderPeriod the fake accepts (its own limit; Linksfield documents
// none).
const MaxOrderPeriod = 999

// Card is one of the fake's test SIM cards, as listed by [Server.Cards].
type Card struct {
	// ICCID is the card number, sent as deviceCode.
	ICCID string
	// Linksfield reports whether the card belongs to Linksfield. Requests about a Linksfield card may
	// send mark "0" or "1"; requests about another card must send mark "1".
	Linksfield bool
	// Note says what the card is for (its seeded state, or the failure it produces), for people:
	// `vshop sandbox` prints it next to the number.
	Note string
}

// Plan is a data plan of the fake's catalogue, as listed by [Server.Plans] and, with these JSON
// names, in the data.plans of listPlans (/singleServicePlanPage).
type Plan struct {
	// PackageCode and ServicePlanCode identify the plan in createOrder; syncThirdPartyOrder names it by
	// PackageCode alone.
	PackageCode     string `json:"packageCode"`
	ServicePlanCode string `json:"servicePlanCode"`
	// ServicePlanShowName is the plan's display name.
	ServicePlanShowName string `json:"servicePlanShowName"`
	// PackageType is the period unit: 0 day schedule and 1 daily (1 day), 2 monthly (30 days),
	// 3 quarterly (90 days), 4 half-yearly (180 days), 5 yearly (365 days).
	PackageType generated.PackageType `json:"packageType"`
	// Area is the region written in Chinese as in Linksfield's example: 欧洲 (Europe), 亚洲 (Asia) or
	// 全球 (global).
	Area string `json:"area"`
	// PayAmount and PayCurrency are the price of one period, a decimal string and an ISO 4217 code.
	PayAmount   string `json:"payAmount"`
	PayCurrency string `json:"payCurrency"`
}

// Option configures a fake Mall built by [NewServer] or [Start].
type Option func(*mall)

// WithClock replaces time.Now as the fake's clock. It dates new orders (the timestamps in generated
// payId and orderNo, expireDate, remainingDays) and auto-renewals (subscriptionTime), and it is the
// "now" a request's tradeTime must be near (see the package documentation). Dates are taken in UTC+8
// (China Standard Time), whatever the clock's location. A fixed clock makes answers repeatable:
//
//	vshoptest.WithClock(func() time.Time { return time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC) })
//
// [Server.Client] gives its client the same clock. The function must be safe for concurrent use. A
// nil clock makes [NewServer] and [Start] fail.
func WithClock(now func() time.Time) Option {
	return func(s *mall) {
		if now == nil {
			s.optErr = errors.Join(s.optErr, errors.New("vshoptest: WithClock: the clock function is nil"))
			return
		}
		s.now = now
	}
}

// WithCards adds valid Linksfield cards without orders to the seeded ones, for tests that want cards
// of their own (say, one per goroutine). Each ICCID must be digits only, at most 20, and not one of
// the seeded cards; at most [Limits].MaxCards cards are added.
func WithCards(iccids ...string) Option {
	return func(s *mall) { s.extraCards = append(s.extraCards, iccids...) }
}

// WithLimits replaces the fake's limits. A zero field keeps its default (see [DefaultLimits]); a
// negative one is an error.
func WithLimits(l Limits) Option {
	return func(s *mall) { s.limitsSet = append(s.limitsSet, l) }
}

// WithLatency delays every answer by d, as a slow Mall would (a [Fault] with a Delay does it for one
// operation). The delay ends early when the client goes away.
func WithLatency(d time.Duration) Option {
	return func(s *mall) {
		if d < 0 {
			s.optErr = errors.Join(s.optErr, fmt.Errorf("vshoptest: WithLatency: negative latency %v", d))
			return
		}
		s.latency = d
	}
}

// WithFailureRate makes the fake answer a share rate (0 to 1) of all requests, chosen at random, with
// HTTP 503, Retry-After: 1 and a failure envelope saying the failure was random: a way to try a
// client's retries by hand. It is applied after faults and latency.
func WithFailureRate(rate float64) Option {
	return func(s *mall) {
		if !(rate >= 0 && rate <= 1) {
			s.optErr = errors.Join(s.optErr, fmt.Errorf("vshoptest: WithFailureRate: the rate must be from 0 to 1, got %v", rate))
			return
		}
		s.failureRate = rate
	}
}

// WithAccessLog writes one line per request to w, when its answer is done: time, method, path, HTTP
// status (0 when the connection was dropped) and duration, such as
//
//	20:33:25.123 POST /singleOrder -> 200 (1.2ms)
//
// Lines are written whole, one at a time.
func WithAccessLog(w io.Writer) Option {
	return func(s *mall) { s.accessLog = w }
}

// mall is the stateful fake Linksfield Mall (Vshop) behind a [Server]: see the package documentation.
// It is safe for concurrent use.
type mall struct {
	now         func() time.Time
	optErr      error
	handler     http.Handler
	limits      Limits
	limitsSet   []Limits
	extraCards  []string
	latency     time.Duration
	failureRate float64
	accessLog   io.Writer
	logMu       sync.Mutex // serializes accessLog lines

	validator *specvalidate.Validator
	ops       map[string]operation // by path
	opByID    map[string]operation // by operationId

	seedCards []Card
	plans     []Plan
	planByPkg map[string]int // packageCode -> index in plans

	faults faults
	log    recorder

	mu        sync.Mutex
	cards     map[string]*card // by ICCID
	byOrderNo map[string]*order
	byPayID   map[string]*order
	seq       int // last 5-digit suffix handed out
	orders    int // orders held, on all cards
}

// newMall returns a fake Mall holding the seeded test cards, their orders and auto-renewals, and the
// plan catalogue. It fails only when an option is invalid or the embedded spec cannot be loaded.
func newMall(opts ...Option) (*mall, error) {
	s := &mall{now: time.Now, limits: DefaultLimits()}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	for _, l := range s.limitsSet {
		if err := s.limits.merge(l); err != nil {
			s.optErr = errors.Join(s.optErr, err)
		}
	}
	if s.optErr != nil {
		return nil, s.optErr
	}
	v, err := specvalidate.New()
	if err != nil {
		return nil, fmt.Errorf("vshoptest: %w", err)
	}
	s.validator = v
	if s.ops, err = loadOperations(); err != nil {
		return nil, err
	}
	s.opByID = make(map[string]operation, len(s.ops))
	for _, op := range s.ops {
		s.opByID[op.id] = op
	}
	s.log.limits = &s.limits
	s.plans = seedPlans()
	s.planByPkg = make(map[string]int, len(s.plans))
	for i, p := range s.plans {
		s.planByPkg[p.PackageCode] = i
	}
	s.cards = map[string]*card{}
	s.byOrderNo = map[string]*order{}
	s.byPayID = map[string]*order{}
	if err := s.seed(); err != nil {
		return nil, err
	}

	strict := generated.NewStrictHandlerWithOptions(s, nil, generated.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeFailure(w, http.StatusBadRequest, "the body cannot be decoded: "+err.Error())
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeFailure(w, http.StatusInternalServerError, "the fake Mall could not answer: "+err.Error())
		},
	})
	s.handler = s.serve(generated.HandlerFromMux(strict, &router{}))
	return s, nil
}

// card is the state of one test card.
type card struct {
	Card
	deactivated bool
	noPartner   bool
	customer    string   // partnerCode listOrders reports; set by the seed or the first order
	orders      []*order // in creation order
	renewals    []generated.AutoRenewalRecord
}

// order is one order of a card.
type order struct {
	source      string // the path that created it: /singleOrder or /synPartner/SynOrderInfo
	partnerCode string
	deviceCode  string
	orderNo     string
	payID       string
	plan        Plan
	period      int
	periodText  string
	payAmount   string
	payCurrency string
	autoRenewal generated.AutoRenewal
	inUse       bool
	expire      time.Time // civil date (midnight UTC) when inUse
}

// mallZone is the time zone the fake writes dates in.
var mallZone = time.FixedZone("UTC+8", 8*60*60)

// daysPer is the length of one period of each packageType, in days.
var daysPer = map[generated.PackageType]int{
	generated.PackageTypeDaySchedule: 1,
	generated.PackageTypeDaily:       1,
	generated.PackageTypeMonthly:     30,
	generated.PackageTypeQuarterly:   90,
	generated.PackageTypeHalfYearly:  180,
	generated.PackageTypeYearly:      365,
}

// civil is the calendar date of t in mallZone, as midnight UTC (so that dates subtract exactly).
func civil(t time.Time) time.Time {
	y, m, d := t.In(mallZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// days is the length of o in days.
func (o *order) days() int { return o.period * daysPer[o.plan.PackageType] }

// summary is o as listOrders shows it on day today.
func (o *order) summary(today time.Time) generated.OrderSummary {
	sum := generated.OrderSummary{
		OrderStatus:         generated.OrderStatusNotEnabled,
		ServicePlanShowName: o.plan.ServicePlanShowName,
		Time:                o.periodText,
		Unit:                string(o.plan.PackageType),
		RemainingDays:       fmt.Sprint(o.days()),
	}
	if o.inUse {
		sum.OrderStatus = generated.OrderStatusInUse
		sum.ExpireDate = o.expire.Format(time.DateOnly)
		left := int(o.expire.Sub(today).Hours() / 24)
		sum.RemainingDays = fmt.Sprint(max(left, 0))
	}
	return sum
}

// ordersOf lists c's orders for listOrders: the one in use first, then the others in creation order.
func ordersOf(c *card, today time.Time) []generated.OrderSummary {
	list := append([]*order(nil), c.orders...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].inUse && !list[j].inUse })
	out := make([]generated.OrderSummary, 0, len(list))
	for _, o := range list {
		out = append(out, o.summary(today))
	}
	return out
}
