// Package vshop is the front door of vshop-go, a Go client for the Linksfield Mall "Vshop" partner API:
// verify a SIM card, list and order data plans, list orders and auto-renewals, cancel an auto-renewal,
// and report a payment collected by a third party.
//
// # Who should use what
//
// Service code calls [NewClient] and uses the typed client it returns. The request and response types,
// the enums (languageCode, mark, terminal, packageType, ...) and the operations themselves live in
// package [github.com/vshop-go/vshop/generated], generated from openapi/vshop.yaml. Leave the global
// fields (partnerCode, version, tradeType, tradeTime, sign) empty: the client fills them and signs the
// request. Package [github.com/vshop-go/vshop/signing] is for code that signs or verifies bodies itself,
// such as a server or a client in another stack, or a bare generated client (signing.Signer.EditRequest).
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
// A call made through a client from [NewClient] ends either in a response whose JSON200 holds the
// decoded success envelope, or in an error; [Data] turns the two into the envelope's typed data in one
// step. The errors, each found with errors.As or errors.Is:
//
//   - [*APIError]: the service answered with a failure envelope (operateCode other than "S") or a
//     non-2xx status; it carries the HTTP status, operateCode, message and raw body.
//   - [*DecodeError]: the answer could not be understood (not JSON, truncated, no envelope); it names
//     the operation and shows the start of the body.
//   - [*ValidationError]: the request breaks the spec and was not sent; it names the field and the rule.
//   - [ErrResponseTooLarge]: the answer was larger than the limit (WithMaxResponseBytes).
//   - context.DeadlineExceeded and context.Canceled: the call's timeout (WithTimeout) or the caller's
//     context ended it; the error says which, and names the operation.
//   - anything else is a connection error from net/http (a net.Error, wrapped), after the retries the
//     policies allowed.
//
// # Validation
//
// Before a request leaves, its fully signed body is checked against the embedded spec (required
// fields, non-empty strings, enum codes such as languageCode "0".."11", digits-only device codes, ...).
// A request that breaks it ends in a [*ValidationError] such as
//
//	vshop listAutoRenewals: invalid request, not sent: deviceCode: must match ^[0-9]+$
//
// and nothing is sent: no connection is even opened. A valid body costs under 1 µs to check (a fast
// path for the common case); an invalid one goes through kin-openapi, which also words the error
// (about 10 µs). WithValidation(false) turns the check off, for a server that accepts what the spec
// does not.
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
// Every attempt is signed anew with a fresh tradeTime from the clock, so a server that rejects stale
// or repeated signatures accepts the retry. A tradeTime the caller set is used for the first attempt
// only.
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
