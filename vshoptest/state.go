package vshoptest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vshop-go/vshop/generated"
)

// failure is an answer other than success: an HTTP status and the envelope's message.
type failure struct {
	status int
	msg    string
}

func fail(status int, format string, args ...any) *failure {
	return &failure{status: status, msg: fmt.Sprintf(format, args...)}
}

// failureResponse has the shape of every generated <Operation>defaultJSONResponse, so it converts to
// each of them.
type failureResponse struct {
	Body       generated.FailureReply
	StatusCode int
}

func (f *failure) response() failureResponse {
	return failureResponse{Body: generated.FailureReply{OperateCode: FailureCode, Message: f.msg}, StatusCode: f.status}
}

// usableCard finds the card deviceCode and checks that a request about it may proceed. s.mu is held.
func (s *mall) usableCard(deviceCode string, mark generated.Mark) (*card, *failure) {
	c, ok := s.cards[deviceCode]
	if !ok {
		return nil, fail(http.StatusNotFound,
			"unknown device %s: not one of the fake's test cards (vshoptest.CardValid is one; `vshop sandbox` lists them)", deviceCode)
	}
	if c.noPartner {
		return nil, fail(http.StatusForbidden,
			"device %s belongs to no partner: Linksfield has not assigned the card to a partner, so no partner may use it", deviceCode)
	}
	if c.deactivated {
		return nil, fail(http.StatusForbidden,
			"device %s is deactivated: the card failed Linksfield's card-validity check and cannot be used", deviceCode)
	}
	if !c.Linksfield && mark != generated.MarkOtherCard {
		return nil, fail(http.StatusUnprocessableEntity,
			`device %s is not a Linksfield card: send mark "1" (card not Linksfield's, validity check skipped), not mark %q`, deviceCode, mark)
	}
	return c, nil
}

// orderRequest is what createOrder and syncThirdPartyOrder ask for.
type orderRequest struct {
	source          string // the operation's path
	partnerCode     string
	deviceCode      string
	mark            generated.Mark
	orderNo         string // "" = generate one (createOrder only)
	payID           string // "" = generate one (createOrder only)
	packageCode     string
	servicePlanCode string // "" for syncThirdPartyOrder, which names the plan by packageCode alone
	orderPeriod     string
	payAmount       string
	payCurrency     string
	autoRenewal     generated.AutoRenewal
}

// placeOrder creates the order req describes, or returns the order an identical earlier request with
// the same orderNo created.
func (s *mall) placeOrder(req orderRequest) (*order, *failure) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, f := s.usableCard(req.deviceCode, req.mark)
	if f != nil {
		return nil, f
	}
	idx, ok := s.planByPkg[req.packageCode]
	if !ok {
		return nil, fail(http.StatusUnprocessableEntity,
			"packageCode: no plan %q in the fake's catalogue (list the plans with /singleServicePlanPage)", req.packageCode)
	}
	plan := s.plans[idx]
	if req.source == pathCreateOrder && req.servicePlanCode != plan.ServicePlanCode {
		return nil, fail(http.StatusUnprocessableEntity,
			"servicePlanCode: plan %s has servicePlanCode %q, not %q (list the plans with /singleServicePlanPage)",
			plan.PackageCode, plan.ServicePlanCode, req.servicePlanCode)
	}
	period, err := strconv.Atoi(req.orderPeriod)
	if err != nil || period < 1 || period > MaxOrderPeriod {
		return nil, fail(http.StatusUnprocessableEntity,
			"orderPeriod: %q is not a whole number of periods from 1 to %d (the fake's limit)", req.orderPeriod, MaxOrderPeriod)
	}
	if req.autoRenewal == "" {
		req.autoRenewal = generated.AutoRenewalOff
	}

	if prev, ok := s.byOrderNo[req.orderNo]; ok && req.orderNo != "" {
		if diff := prev.differs(req); diff != "" {
			return nil, fail(http.StatusConflict,
				"orderNo %s already identifies a different order (%s): send a new orderNo for a new order, or repeat the first request unchanged",
				req.orderNo, diff)
		}
		return prev, nil // an identical repeat: the order already exists
	}
	if prev, ok := s.byPayID[req.payID]; ok && req.payID != "" {
		return nil, fail(http.StatusConflict,
			"payId %s already belongs to order %s: send a new payId for a new order", req.payID, prev.orderNo)
	}
	if len(c.orders) >= s.limits.MaxOrdersPerCard {
		return nil, fail(http.StatusUnprocessableEntity,
			"device %s has %d orders, the fake's limit per card (vshoptest.Limits.MaxOrdersPerCard): use another card (vshoptest.WithCards) or raise the limit",
			req.deviceCode, len(c.orders))
	}
	if s.orders >= s.limits.MaxOrders {
		return nil, fail(http.StatusUnprocessableEntity,
			"the fake holds %d orders, its limit (vshoptest.Limits.MaxOrders): start a new server or raise the limit", s.orders)
	}

	o := &order{
		source: req.source, partnerCode: req.partnerCode, deviceCode: req.deviceCode,
		orderNo: req.orderNo, payID: req.payID, plan: plan, period: period, periodText: req.orderPeriod,
		payAmount: req.payAmount, payCurrency: req.payCurrency, autoRenewal: req.autoRenewal,
	}
	if o.orderNo == "" || o.payID == "" {
		stamp := now.In(mallZone).Format("20060102150405")
		orderNo, payID, ok := s.newIDs("NO"+stamp, req.partnerCode+stamp, o.orderNo == "", o.payID == "")
		if !ok {
			return nil, fail(http.StatusServiceUnavailable, "the fake has used every orderNo and payId of %s: retry in a second", stamp)
		}
		if o.orderNo == "" {
			o.orderNo = orderNo
		}
		if o.payID == "" {
			o.payID = payID
		}
	}
	inUse := false
	for _, other := range c.orders {
		inUse = inUse || other.inUse
	}
	if !inUse {
		o.inUse = true
		o.expire = civil(now).AddDate(0, 0, o.days())
	}
	s.store(o, now)
	return o, nil
}

// differs names the first difference between the order o and a repeated request for it, or returns ""
// when the request is the same. s.mu is held.
func (o *order) differs(req orderRequest) string {
	field := func(name, was, is string) string {
		if was == is {
			return ""
		}
		return fmt.Sprintf("its %s is %q, this request's %q", name, was, is)
	}
	if o.source != req.source {
		return fmt.Sprintf("it was created through %s, this request goes to %s", o.source, req.source)
	}
	for _, d := range []string{
		field("deviceCode", o.deviceCode, req.deviceCode),
		field("partnerCode", o.partnerCode, req.partnerCode),
		field("packageCode", o.plan.PackageCode, req.packageCode),
		field("orderPeriod", o.periodText, req.orderPeriod),
		field("payAmount", o.payAmount, req.payAmount),
		field("payCurrency", o.payCurrency, req.payCurrency),
		field("autoRenewal", string(o.autoRenewal), string(req.autoRenewal)),
	} {
		if d != "" {
			return d
		}
	}
	if req.servicePlanCode != "" && req.servicePlanCode != o.plan.ServicePlanCode {
		return field("servicePlanCode", o.plan.ServicePlanCode, req.servicePlanCode)
	}
	if req.payID != "" && req.payID != o.payID {
		return field("payId", o.payID, req.payID)
	}
	return ""
}

// newIDs returns orderNoPrefix and payIDPrefix followed by the same 5 digits, such that the ones
// wanted are not taken yet; ok is false when all 99999 suffixes are taken. s.mu is held.
func (s *mall) newIDs(orderNoPrefix, payIDPrefix string, wantOrderNo, wantPayID bool) (orderNo, payID string, ok bool) {
	for range 99999 {
		s.seq = s.seq%99999 + 1 // 00001 ... 99999, then 00001 again
		orderNo = fmt.Sprintf("%s%05d", orderNoPrefix, s.seq)
		payID = fmt.Sprintf("%s%05d", payIDPrefix, s.seq)
		if _, taken := s.byOrderNo[orderNo]; taken && wantOrderNo {
			continue
		}
		if _, taken := s.byPayID[payID]; taken && wantPayID {
			continue
		}
		return orderNo, payID, true
	}
	return "", "", false
}

// store records o under its card, orderNo and payId, with an auto-renewal subscribed on now when it
// asks for one. s.mu is held (or the fake is not shared yet).
func (s *mall) store(o *order, now time.Time) {
	c := s.cards[o.deviceCode]
	c.orders = append(c.orders, o)
	s.orders++
	if c.customer == "" {
		c.customer = o.partnerCode
	}
	s.byOrderNo[o.orderNo] = o
	s.byPayID[o.payID] = o
	if o.autoRenewal == generated.AutoRenewalOn {
		c.renewals = append(c.renewals, generated.AutoRenewalRecord{
			PartnerCode:         o.partnerCode,
			DeviceCode:          o.deviceCode,
			PayId:               o.payID,
			OrderNo:             o.orderNo,
			ServicePlanShowName: o.plan.ServicePlanShowName,
			OrderPeriod:         o.periodText,
			PackageType:         o.plan.PackageType,
			SubscriptionTime:    now.In(mallZone).Format("2006.01.02"),
		})
	}
}
