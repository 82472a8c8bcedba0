// Package vshoptest is a fake Linksfield Mall (Vshop) for the tests of services that use the vshop
// client: a stateful server on a loopback port that speaks the spec, checks every sign on the raw
// bytes (twice: decoded, as package signing does, and over the raw text received, so a body sent
// not as it was signed is refused), keeps orders and auto-renewals in memory, and fails on demand. The whole purchase flow
// (verify a card, list plans, order one, list orders and auto-renewals, cancel an auto-renewal,
// report a third-party payment) runs offline against it. `vshop sandbox` serves the same fake.
//
//	func TestCheckout(t *testing.T) {
//		srv := vshoptest.NewServer(t)   // 127.0.0.1, closed when the test ends
//		c := srv.Client()               // partner vshoptest.PartnerCode, the fake's clock
//		data, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{DeviceCode: vshoptest.CardValid})
//		srv.FailNext("listPlans", 2, vshoptest.Fault{Status: 503})   // a 503 storm, then the real answer
//		orders, _ := srv.Orders(vshoptest.CardValid)                // the fake's state
//		reqs := srv.Requests()                                      // what arrived, sign checked
//	}
//
// It implements the generated strict server interface, so its paths, request fields and response
// types are those of openapi/vshop.yaml and cannot drift from it.
//
// # What it accepts and refuses beyond the spec
//
// Linksfield documents none of these rules; each is the fake's choice, made to catch what the real
// API implies is wrong:
//
//   - tradeType must be the operation's ("singleVerify" on /singleVerify: the spec gives each request
//     schema's tradeType as a one-value enum, from its x-trade-type): the placeholder "verify" of
//     several documented examples is refused (400 naming tradeType).
//   - each signed member must be sent exactly as it is in the signContent (spec, "The signature",
//     step 6): a sign that matches only the decoded values is refused (401).
//   - version must be "3.0" ([Version]), the only version the Vshop pages document (400).
//   - tradeTime must be 13 digits of epoch milliseconds, as in the newer examples, within
//     [MaxClockSkew] (10 minutes) of the fake's clock either way (400). The old 14-digit placeholder
//     and times in seconds are refused. With [WithClock], "now" is that clock's: [Server.Client]
//     uses it; a client of your own needs vshop.WithClock with the same function.
//   - a member whose name differs from a field's only by case ("DeviceCode") is refused (400).
//   - every top-level value is at most [Limits].MaxFieldBytes (128) bytes, the body at most
//     MaxBodyBytes (1 MiB); a card holds at most MaxOrdersPerCard (2000) orders and the fake
//     MaxOrders (100000) in all (422 beyond them). Messages name the limit.
//   - a request about [CardDeactivated] or [CardNoPartner] is refused (403), about a card that is
//     not Linksfield's with mark "0" too (422), about [CardUnknown] or any card the fake does not
//     hold (404); orderPeriod must be 1 to [MaxOrderPeriod]; syncThirdPartyOrder needs payRst
//     "SUCCESS"; an orderNo or payId reused for a different order is a conflict (409).
//
// It accepts any partnerCode and does not check which partner owns a card.
//
// # What every request goes through
//
// In this order; the first problem ends the request with a failure envelope:
//
//  1. the request is read (at most MaxBodyBytes of its body), its sign checked on the raw bytes,
//     and it is recorded ([Server.Requests]);
//  2. a fault set for its operation ([Server.FailNext], [Server.FailAlways]) answers it, or delays
//     it; then [WithLatency] delays it and [WithFailureRate] may fail it;
//  3. the path must be one of the spec's (404) and the method POST (405);
//  4. a Content-Type, when sent, must be application/json (415);
//  5. the body must be within MaxBodyBytes (413);
//  6. the sign must be present and match (401; 400 when the body is not a JSON object);
//  7. every member within MaxFieldBytes (400);
//  8. the body is validated against the spec (internal/specvalidate: kin-openapi decides every
//     rejection), without writing defaults into it (400, with a message such as
//     "deviceCode: must match ^[0-9]+$"); then the case of member names (400);
//  9. tradeType, version and tradeTime as above (400);
//  10. the untouched bytes go to the generated handler and the fake's state.
//
// Nothing panics: a last-resort handler answers 500 with a failure envelope.
//
// # Faults
//
// A [Fault] replaces the answer to the next N calls of one operation (FailNext) or to every call
// (FailAlways): a given operateCode and message (HTTP 200 unless a status is given), an HTTP status
// with an optional Retry-After, a delay, or a dropped connection. The client sees what it would see
// from a real Mall: an *vshop.APIError carrying the operateCode, a status its retry policy acts on,
// a timeout, or a connection error.
//
// # Limits and timeouts
//
// [Limits] bound the body, each field, the state, the recorded requests and the time a connection
// may take: ReadHeaderTimeout (5 s), ReadTimeout for the whole request (10 s: a stalled body is cut
// off), WriteTimeout (60 s) and IdleTimeout for keep-alive connections (30 s). Every answer stays
// under the client's default size limit, vshop.DefaultMaxResponseBytes. [WithLimits] changes them.
//
// # Answers
//
// A success is the documented envelope {"operateCode": "S", "message": "success", "data": ...}. A
// failure is {"operateCode": "F", "message": "..."} with Content-Type application/json: "F"
// ([FailureCode]) is the fake's own code (Linksfield documents only "S"), the message names the
// problem and what to do, and the HTTP status is the one a client would expect:
//
//	400  malformed JSON, a field that breaks the spec (missing, empty, bad pattern, unknown enum value),
//	     a field over MaxFieldBytes, a tradeType, version or tradeTime the fake refuses
//	401  sign missing or not matching the body
//	403  the card is deactivated or assigned to no partner
//	404  unknown path, unknown device, no such auto-renewal to cancel
//	405  method other than POST
//	409  an orderNo (or payId) reused for a different order
//	413  body over MaxBodyBytes
//	415  Content-Type other than application/json
//	422  card not Linksfield's sent with mark "0", unknown plan (naming packageCode or servicePlanCode),
//	     payRst other than "SUCCESS", orderPeriod over MaxOrderPeriod, an order beyond MaxOrders or
//	     MaxOrdersPerCard
//	500  a bug in the fake
//	503  every generated orderNo of one second is taken (99999 orders in a second), or
//	     WithFailureRate chose the request
//
// A fault answers with the status and operateCode it was given.
//
// Linksfield documents no response for /singleVerify, /singleServicePlanPage and
// /synPartner/SynOrderInfo; the fake answers them with data of its own shape:
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
// The state lives in memory, behind one mutex, for the life of the [Server].
//
// Cards ([Server.Cards], and named: [CardValid] and the others): the ICCIDs of Linksfield's
// examples, 89852420180910340793, 89860220190905123941 and 89430101521032420180 (valid, no orders),
// 89852121501108205774 (the /singleQueryOrder example's orders: one in use that expired on
// 2024-07-31, two not enabled) and 8100000000012000423 (the /queryAutoRenewalRecord example's two
// auto-renewals of partner CU-7ZOIHX0RB16U, with their orders); then 89014100000000000017, a card
// that is not Linksfield's (mark "0" fails with 422 and a message saying to send mark "1"; mark "1"
// works), 89852400000000000005, a deactivated card, and 89852400000000000013, a card assigned to no
// partner (both 403 whatever the mark). [WithCards] adds valid cards. Any other deviceCode is an
// unknown device (404). Every operation checks the card this way.
//
// Plans ([Server.Plans]): a catalogue of eight plans in three areas, written in Chinese as in
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
// Dates are those of the fake's clock ([WithClock]; time.Now by default) in UTC+8. The fake does not
// check which partner owns a card: listOrders reports as partnerCode the partner of the card's first
// order, or the caller's when the card has none (the seeded cards keep the partner of Linksfield's
// example).
package vshoptest
