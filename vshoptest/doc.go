// Package sandbox is a stateful fake Linksfield Mall (Vshop) server: the whole purchase flow (verify a
// card, list plans, order one, list orders and auto-renewals, cancel an auto-renewal, report a
// third-party payment) runs offline against it, in tests, in `vshop demo` and behind `vshop sandbox`.
//
// It implements the generated strict server interface, so its paths, request fields and response
// types are those of openapi/vshop.yaml and cannot drift from it.
//
//	s, err := sandbox.New()
//	...
//	srv := httptest.NewServer(s.Handler())   // base URL: srv.URL, no /vshop prefix
//	client, err := vshop.NewClient(srv.URL, "P000270")
//
// # What every request goes through
//
// In this order; the first problem ends the request with a failure envelope:
//
//  1. the path must be one of the spec's (404) and the method POST (405);
//  2. a Content-Type, when sent, must be application/json (415);
//  3. the body is read raw, at most [MaxBodyBytes] (413);
//  4. the sign is checked on those raw bytes, before anything decodes them (401 when it is missing or
//     does not match; 400 when the body is not a JSON object);
//  5. the body is validated against the spec (internal/specvalidate: kin-openapi decides every
//     rejection; a compiled fast path only accepts plain valid bodies), without writing defaults into it (400,
//     with a message such as "deviceCode: must match ^[0-9]+$"); a member whose name differs from a
//     field's only by case ("DeviceCode") is refused too (400);
//  6. the untouched bytes go to the generated handler and the sandbox's state.
//
// Nothing panics: a last-resort handler answers 500 with a failure envelope.
//
// # Answers
//
// A success is the documented envelope {"operateCode": "S", "message": "success", "data": ...}. A
// failure is {"operateCode": "F", "message": "..."} with Content-Type application/json: "F"
// ([FailureCode]) is the sandbox's own code (Linksfield documents only "S"), the message names the
// problem and what to do, and the HTTP status is the one a client would expect:
//
//	400  malformed JSON, a field that breaks the spec (missing, empty, bad pattern, unknown enum value)
//	401  sign missing or not matching the body
//	403  the card is deactivated
//	404  unknown path, unknown device, no such auto-renewal to cancel
//	405  method other than POST
//	409  an orderNo (or payId) reused for a different order
//	413  body over MaxBodyBytes
//	415  Content-Type other than application/json
//	422  card not Linksfield's sent with mark "0", unknown plan (naming packageCode or servicePlanCode),
//	     payRst other than "SUCCESS", orderPeriod over MaxOrderPeriod
//	500  a bug in the sandbox
//	503  every generated orderNo of one second is taken (99999 orders in a second)
//
// Linksfield documents no response for /singleVerify, /singleServicePlanPage and
// /synPartner/SynOrderInfo; the sandbox answers them with data of its own shape:
//
//	verifyCard           {"deviceCode": "...", "status": "valid"}
//	listPlans            {"plans": [{"packageCode", "servicePlanCode", "servicePlanShowName",
//	                                 "packageType", "area", "payAmount", "payCurrency"}, ...]}
//	syncThirdPartyOrder  {"deviceCode": "...", "orderNo": "...", "payId": "..."}
//
// createOrder answers the documented CreatedOrder {deviceCode, orderNo, partnerCode, payId};
// listOrders and listAutoRenewals answer their documented shapes; cancelAutoRenewal answers the
// envelope without data.
//
// # State
//
// The state lives in memory, behind one mutex, for the life of the [Sandbox].
//
// Cards ([Sandbox.Cards]): the ICCIDs of Linksfield's examples, 89852420180910340793,
// 89860220190905123941 and 89430101521032420180 (valid, no orders), 89852121501108205774 (the
// /singleQueryOrder example's orders: one in use that expired on 2024-07-31, two not enabled) and
// 8100000000012000423 (the /queryAutoRenewalRecord example's two auto-renewals of partner
// CU-7ZOIHX0RB16U, with their orders); then 89014100000000000017, a card that is not Linksfield's
// (mark "0" fails with 422 and a message saying to send mark "1"; mark "1" works), and
// 89852400000000000005, a deactivated card (403 whatever the mark). Any other deviceCode is an unknown device (404).
// Every operation checks the card this way.
//
// Plans ([Sandbox.Plans]): a catalogue of eight plans in three areas, written in Chinese as in
// Linksfield's example: 欧洲 (Europe), 亚洲 (Asia), 全球 (global). listPlans filters on area (the
// English names Europe, Asia and Global are accepted too) and lists every plan when area is empty.
// Every card can buy every plan.
//
// Orders: createOrder (/singleOrder) names the plan by packageCode and servicePlanCode,
// syncThirdPartyOrder (/synPartner/SynOrderInfo) by packageCode and needs payRst "SUCCESS". A missing
// orderNo or payId (createOrder only; the spec requires them for syncThirdPartyOrder) is generated in
// the documented formats: orderNo "NO" + yyyyMMddHHmmss + 5 digits, payId partnerCode +
// yyyyMMddHHmmss + 5 digits. An orderNo identifies one order: repeating a request with the same
// orderNo and the same content (same operation, card, partner, plan, period, amount, currency,
// autoRenewal, and payId if sent) answers the existing order and creates nothing; the same orderNo
// with other content, or a payId already used by another order, is a conflict (409). Amounts are
// recorded, not checked against the catalogue.
//
// The first order of a card that has no order in use is in use (orderStatus "2"), with an expireDate
// of the order day plus its length: orderPeriod times 1 day (packageType 0 and 1), 30 (2), 90 (3),
// 180 (4) or 365 (5). Later orders are not enabled ("1"). listOrders shows each as the documented
// OrderSummary: time = orderPeriod, unit = packageType, remainingDays = the days left until expireDate
// (never below 0) for the order in use, the order's length for the others. Orders do not move on
// with the clock: an expired order stays in use, as in Linksfield's example.
//
// autoRenewal "1" also subscribes an auto-renewal (subscriptionTime = the order day, yyyy.MM.dd),
// listed by listAutoRenewals oldest first. cancelAutoRenewal removes the one with the request's payId
// and orderNo on that card (404 when there is none); the order itself stays, and repeating the order
// request does not subscribe it again.
//
// Dates are those of the sandbox's clock ([WithClock]; time.Now by default) in UTC+8. The sandbox does
// not check tradeType, version or tradeTime beyond the spec, nor which partner owns a card: listOrders
// reports as partnerCode the partner of the card's first order, or the caller's when the card has none
// (the seeded cards keep the partner of Linksfield's example).
package vshoptest
