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
// such as a server or a client in another stack.
//
// # Results and errors
//
// A call made through a client from [NewClient] ends either in a response whose JSON200 holds the
// decoded envelope, or in an error. A failure envelope (operateCode other than "S"), a non-2xx status
// or a body that is not a JSON envelope is returned as an error; an [*APIError] carries the HTTP
// status, operateCode, message and raw body and is found with errors.As. [Data] turns a response and
// its error into the envelope's typed data in one step.
//
// # Servers
//
// [ProductionURL] and [UATURL] are the Vshop base URLs from Linksfield's global specification;
// [CubeUATURL] is the server the Chinese documentation page of /queryAutoRenewalRecord shows.
// For offline work use the sandbox (`vshop sandbox`, or internal/sandbox in this module's tests).
package vshop
