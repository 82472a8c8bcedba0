// Package vshop is the front door of vshop-go, a Go client for the Linksfield Mall "Vshop" partner API:
// verify a SIM card, list and order data plans, list orders and auto-renewals, cancel an auto-renewal,
// and report a payment collected by a third party.
//
// # Calling the API
//
// Make one [Client] per partner with [NewClient] and share it; it has one method per operation of the
// spec, each taking the operation's own fields and returning the reply's typed data:
//
//	c, err := vshop.NewClient(vshop.UATURL, "P000270")
//	data, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{DeviceCode: "8985…"})          // step 1
//	plans, err := c.ListPlans(ctx, vshop.ListPlansRequest{DeviceCode: "8985…"})           // step 2
//	order, err := c.CreateOrder(ctx, vshop.CreateOrderRequest{DeviceCode: "8985…", …})    // *CreatedOrder
//	orders, err := c.ListOrders(ctx, vshop.ListOrdersRequest{DeviceCode: "8985…"})        // *OrderList
//	recs, err := c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{DeviceCode: "8985…"}) // []AutoRenewalRecord
//	_, err = c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{DeviceCode: "8985…", PayId: …, OrderNo: …})
//	_, err = c.SyncThirdPartyOrder(ctx, vshop.SyncThirdPartyOrderRequest{…})              // a payment you collected
//
// The methods, their request types and the table of operations ([Operations]: path, tradeType, retry
// class) are generated from openapi/vshop.yaml by `make generate`; the reply and enum types are aliases
// of package [github.com/vshop-go/vshop/generated]'s, each enum with its codes as constants and a Name
// method. The client fills the global fields (partnerCode, version, tradeType, tradeTime) and sign;
// languageCode, mark and terminal take the client's defaults ([WithLanguage], [WithMark],
// [WithTerminal]) where a request leaves them empty.
//
// Package generated also holds the raw oapi-codegen client, for those who want it; sign its requests
// with [github.com/vshop-go/vshop/signing].Signer.EditRequest and [TradeTypes]. Package signing is
// also for code that signs or verifies bodies itself, such as a server or a client in another stack.
//
// Without options, a client from [NewClient] signs every request, checks it against the spec before
// sending it, bounds each call by [DefaultTimeout], retries read-only calls that meet a connection
// error, a 429 or a 5xx, reads at most [DefaultMaxResponseBytes] of an answer, and logs nothing. Each of
// these is an option; the retry policies are function types with exported defaults ([RetrySafe] and
// [DefaultRetrySafe], [CheckRetry] and [DefaultCheckRetry], [Backoff] and [DefaultBackoff]) so that you
// compose your own from the defaults rather than fork them.
//
// # Results and errors
//
// A call ends either in the reply's data, decoded once from the answer, or in an error. The errors,
// each found with errors.As or errors.Is:
//
//   - [*APIError]: the service answered with a failure envelope (operateCode other than "S") or a
//     non-2xx status; it carries the HTTP status, operateCode, message and raw body.
//   - [*DecodeError]: the answer could not be understood (not JSON, truncated, no envelope, an
//     ambiguous envelope such as operateCode given twice or as OPERATECODE, data of the wrong JSON
//     type); it names the operation and the field, and shows the start of the body.
//   - [*ValidationError]: the request breaks the spec and was not sent; it names the field and the rule.
//   - [ErrResponseTooLarge]: the answer was larger than the limit (WithMaxResponseBytes).
//   - context.DeadlineExceeded and context.Canceled: the call's timeout (WithTimeout) or the caller's
//     context ended it; the error says which, and names the operation.
//   - anything else is a connection error from net/http (a net.Error, wrapped), after the retries the
//     policies allowed.
//
// # Validation
//
// Before a request leaves, its fields are checked against rules generated from the spec's request
// schema (required fields, enum codes such as languageCode "0".."11", digits-only device codes, amount
// and currency patterns, valid UTF-8). A request that breaks them ends in a [*ValidationError] such as
//
//	vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$
//
// and nothing is sent: no connection is even opened. The rules are plain data in the client, so
// NewClient never loads the spec; a test checks they give kin-openapi's verdicts on the spec.
// WithValidation(false) turns the check off, for a server that accepts what the spec does not.
//
// # Timeouts
//
// WithTimeout (default [DefaultTimeout]) bounds a whole call: every attempt, the waits between them and
// reading the answer. The caller's context applies as well. WithConnectTimeout (default
// [DefaultConnectTimeout]) bounds connecting; the default transport keeps connections alive and keeps
// [DefaultMaxIdleConnsPerHost] idle ones per host. WithHTTPClient replaces that client entirely.
//
// # Retries
//
// Which requests may be sent twice is decided by the [RetrySafe] policy, before the first attempt.
// [DefaultRetrySafe] allows the read-only operations (verifyCard, listPlans, listOrders,
// listAutoRenewals), allows createOrder only when the request carries an orderNo, and
// syncThirdPartyOrder only when it carries both orderNo and payId: those ids make the repeat the same
// request rather than a second order or payment. A createOrder without orderNo, and every
// cancelAutoRenewal, is sent exactly once.
//
// After each attempt of a request that may be repeated, [CheckRetry] decides whether to retry
// ([DefaultCheckRetry]: connection and read errors, 429, 5xx except 501) and [Backoff] how long to wait
// ([DefaultBackoff]: exponential from WithRetryWait's min, with jitter, capped at its max; the server's
// Retry-After, in seconds or as an HTTP date, wins). WithRetryMax bounds the number of retries
// (default [DefaultRetryMax]; 0 turns retries off). The client never sleeps past the context's
// deadline: when the next wait would end after it, the call ends at once with the last attempt's
// result (say, the 503's [*APIError]).
//
// Every attempt is signed anew with a fresh tradeTime from the clock (never one an earlier attempt
// used), so a server that rejects stale or repeated signatures accepts the retry.
//
// # Logging
//
// WithLogger gives the client a *slog.Logger (the default is none). Each call writes exactly one line,
// "vshop call", at Info when it succeeded and at Warn when it failed, with operation, tradeType, device,
// status, operateCode, attempts, latency and, on failure, error. At Debug level the client also logs
// each attempt's request and response bodies and each retry. Device codes (ICCIDs, IMEIs) are masked
// everywhere the client logs, bodies and error messages included: [MaskDevice] keeps the first 6 and
// last 4 digits ("898524**********0793"); WithDeviceMasking replaces it.
//
// # Servers
//
// [ProductionURL] and [UATURL] are the Vshop base URLs from Linksfield's global specification;
// [CubeUATURL] is the server the Chinese documentation page of /queryAutoRenewalRecord shows.
// For offline work and tests use the fake Mall of package [github.com/vshop-go/vshop/vshoptest]
// (`vshop sandbox` serves the same one).
package vshop
