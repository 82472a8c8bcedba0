package vshoptest

import (
	"context"
	"net/http"
	"strings"

	"github.com/vshop-go/vshop/generated"
)

// The spec's paths the handlers refer to.
const (
	pathCreateOrder = "/singleOrder"
	pathSyncOrder   = "/synPartner/SynOrderInfo"
)

// The fake implements the generated strict server interface: it cannot drift from the spec.
var _ generated.StrictServerInterface = (*mall)(nil)

// success is the message of every success envelope.
const success = "success"

// noBody answers a request whose body the generated handler did not decode (it always does).
var noBody = fail(http.StatusBadRequest, "the request has no JSON body")

// areaNames maps the English area names the fake also accepts to the catalogue's Chinese ones.
var areaNames = map[string]string{"europe": "欧洲", "asia": "亚洲", "global": "全球"}

// VerifyCard implements /singleVerify: data is {"deviceCode": "...", "status": "valid"}.
func (s *mall) VerifyCard(ctx context.Context, req generated.VerifyCardRequestObject) (generated.VerifyCardResponseObject, error) {
	if req.Body == nil {
		return generated.VerifyCarddefaultJSONResponse(noBody.response()), nil
	}
	s.mu.Lock()
	_, f := s.usableCard(req.Body.DeviceCode, req.Body.Mark)
	s.mu.Unlock()
	if f != nil {
		return generated.VerifyCarddefaultJSONResponse(f.response()), nil
	}
	return generated.VerifyCard200JSONResponse{OperateCode: SuccessCode, Message: success,
		Data: generated.OpenData{"deviceCode": req.Body.DeviceCode, "status": "valid"}}, nil
}

// ListPlans implements /singleServicePlanPage: data is {"plans": [...]}, the catalogue's plans of the
// area asked for (all of them when area is empty).
func (s *mall) ListPlans(ctx context.Context, req generated.ListPlansRequestObject) (generated.ListPlansResponseObject, error) {
	if req.Body == nil {
		return generated.ListPlansdefaultJSONResponse(noBody.response()), nil
	}
	s.mu.Lock()
	_, f := s.usableCard(req.Body.DeviceCode, req.Body.Mark)
	s.mu.Unlock()
	if f != nil {
		return generated.ListPlansdefaultJSONResponse(f.response()), nil
	}
	area := strings.TrimSpace(req.Body.Area)
	if zh, ok := areaNames[strings.ToLower(area)]; ok {
		area = zh
	}
	plans := make([]generated.Plan, 0, len(s.plans))
	for _, p := range s.plans {
		if area == "" || p.Area == area {
			plans = append(plans, generated.Plan{PackageCode: p.PackageCode, ServicePlanCode: p.ServicePlanCode,
				ServicePlanShowName: p.ServicePlanShowName, PackageType: p.PackageType, Area: p.Area,
				PayAmount: p.PayAmount, PayCurrency: p.PayCurrency})
		}
	}
	return generated.ListPlans200JSONResponse{OperateCode: SuccessCode, Message: success,
		Data: generated.PlanList{Plans: plans}}, nil
}

// CreateOrder implements /singleOrder: data is the documented CreatedOrder.
func (s *mall) CreateOrder(ctx context.Context, req generated.CreateOrderRequestObject) (generated.CreateOrderResponseObject, error) {
	b := req.Body
	if b == nil {
		return generated.CreateOrderdefaultJSONResponse(noBody.response()), nil
	}
	o, f := s.placeOrder(orderRequest{
		source: pathCreateOrder, partnerCode: b.PartnerCode, deviceCode: b.DeviceCode, mark: b.Mark,
		orderNo: b.OrderNo, payID: b.PayId, packageCode: b.PackageCode, servicePlanCode: b.ServicePlanCode,
		orderPeriod: b.OrderPeriod, payAmount: b.PayAmount, payCurrency: b.PayCurrency, autoRenewal: b.AutoRenewal,
	})
	if f != nil {
		return generated.CreateOrderdefaultJSONResponse(f.response()), nil
	}
	return generated.CreateOrder200JSONResponse{OperateCode: SuccessCode, Message: success,
		Data: generated.CreatedOrder{DeviceCode: o.deviceCode, OrderNo: o.orderNo, PartnerCode: o.partnerCode, PayId: o.payID}}, nil
}

// SyncThirdPartyOrder implements /synPartner/SynOrderInfo: a payment with payRst "SUCCESS" creates an
// order; data is {"deviceCode", "orderNo", "payId"}.
func (s *mall) SyncThirdPartyOrder(ctx context.Context, req generated.SyncThirdPartyOrderRequestObject) (generated.SyncThirdPartyOrderResponseObject, error) {
	b := req.Body
	if b == nil {
		return generated.SyncThirdPartyOrderdefaultJSONResponse(noBody.response()), nil
	}
	if b.PayRst != "SUCCESS" {
		f := fail(http.StatusUnprocessableEntity,
			`payRst: is %q: only a payment reported with payRst "SUCCESS" creates an order`, b.PayRst)
		return generated.SyncThirdPartyOrderdefaultJSONResponse(f.response()), nil
	}
	o, f := s.placeOrder(orderRequest{
		source: pathSyncOrder, partnerCode: b.PartnerCode, deviceCode: b.DeviceCode, mark: b.Mark,
		orderNo: b.OrderNo, payID: b.PayId, packageCode: b.PackageCode,
		orderPeriod: b.OrderPeriod, payAmount: b.PayAmount, payCurrency: b.PayCurrency, autoRenewal: b.AutoRenewal,
	})
	if f != nil {
		return generated.SyncThirdPartyOrderdefaultJSONResponse(f.response()), nil
	}
	return generated.SyncThirdPartyOrder200JSONResponse{OperateCode: SuccessCode, Message: success,
		Data: generated.OpenData{"deviceCode": o.deviceCode, "orderNo": o.orderNo, "payId": o.payID}}, nil
}

// ListOrders implements /singleQueryOrder: the card's order in use, then those not enabled.
func (s *mall) ListOrders(ctx context.Context, req generated.ListOrdersRequestObject) (generated.ListOrdersResponseObject, error) {
	if req.Body == nil {
		return generated.ListOrdersdefaultJSONResponse(noBody.response()), nil
	}
	today := civil(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	c, f := s.usableCard(req.Body.DeviceCode, req.Body.Mark)
	if f != nil {
		return generated.ListOrdersdefaultJSONResponse(f.response()), nil
	}
	partner := c.customer
	if partner == "" {
		partner = req.Body.PartnerCode
	}
	return generated.ListOrders200JSONResponse{OperateCode: SuccessCode, Message: success,
		Data: generated.OrderList{PartnerCode: partner, DeviceCode: c.ICCID, OrderList: ordersOf(c, today)}}, nil
}

// ListAutoRenewals implements /queryAutoRenewalRecord: the card's auto-renewals in force, oldest first.
func (s *mall) ListAutoRenewals(ctx context.Context, req generated.ListAutoRenewalsRequestObject) (generated.ListAutoRenewalsResponseObject, error) {
	if req.Body == nil {
		return generated.ListAutoRenewalsdefaultJSONResponse(noBody.response()), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, f := s.usableCard(req.Body.DeviceCode, req.Body.Mark)
	if f != nil {
		return generated.ListAutoRenewalsdefaultJSONResponse(f.response()), nil
	}
	return generated.ListAutoRenewals200JSONResponse{OperateCode: SuccessCode, Message: success,
		Data: append(make([]generated.AutoRenewalRecord, 0, len(c.renewals)), c.renewals...)}, nil
}

// CancelAutoRenewal implements /cancelAutoRenewalRecord: it removes the card's auto-renewal with that
// payId and orderNo. The envelope carries no data.
func (s *mall) CancelAutoRenewal(ctx context.Context, req generated.CancelAutoRenewalRequestObject) (generated.CancelAutoRenewalResponseObject, error) {
	b := req.Body
	if b == nil {
		return generated.CancelAutoRenewaldefaultJSONResponse(noBody.response()), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, f := s.usableCard(b.DeviceCode, b.Mark)
	if f != nil {
		return generated.CancelAutoRenewaldefaultJSONResponse(f.response()), nil
	}
	for i, r := range c.renewals {
		if r.PayId == b.PayId && r.OrderNo == b.OrderNo {
			c.renewals = append(c.renewals[:i:i], c.renewals[i+1:]...)
			return generated.CancelAutoRenewal200JSONResponse{OperateCode: SuccessCode, Message: success}, nil
		}
	}
	f = fail(http.StatusNotFound,
		"no auto-renewal with payId %s and orderNo %s on device %s: list them with /queryAutoRenewalRecord",
		b.PayId, b.OrderNo, b.DeviceCode)
	return generated.CancelAutoRenewaldefaultJSONResponse(f.response()), nil
}
