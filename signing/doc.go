// Package signing implements the request signature of the Linksfield Mall
// API: canonical JSON, then MD5. Clients use [Signer] to fill the global
// fields of a request body and sign it; servers (such as the sandbox) use
// [Verify] on the raw bytes they received.
//
// # The rule
//
// The sign of a JSON request body, as documented by Linksfield and checked
// against the two signed examples in its documentation, is computed as
// follows:
//
//  1. take every top-level member of the body except "sign", and drop those
//     whose value is null or the empty string "";
//  2. sort them by key, in byte order of the decoded UTF-8 key;
//  3. write them as compact JSON: no whitespace; strings re-encoded from their
//     decoded value with non-ASCII as raw UTF-8, '/' and '<' '>' '&' and
//     U+2028/U+2029 unescaped, '"' and '\' backslash-escaped, and control
//     characters as \b \f \n \r \t or \u00xx (lowercase hex), the output of
//     Python's json.dumps(..., separators=(",", ":"), ensure_ascii=False) and
//     of JavaScript's JSON.stringify; numbers, true and false exactly as sent
//     ("1.50" stays 1.50); nested objects and arrays (not documented) written
//     the same way, object keys sorted, nothing dropped inside them;
//  4. sign = lowercase hex MD5 of those bytes. There is no secret key.
//
// [Canonical] returns the bytes of step 3 (the documentation's signContent)
// and [Sign] the result of step 4. Bodies that cannot be signed
// unambiguously are rejected rather than signed differently: anything but a
// single JSON object, invalid UTF-8, a \u escape that leaves a surrogate
// unpaired, and duplicate keys. The errors wrap [ErrInvalidBody] and give
// the byte offset and, where there is one, the key.
//
// For example, the documented /singleVerify request signs
//
//	{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0"}
//
// as ea7a3bba7e345e0b8ca7f7e3b43d6e72.
//
// # Using the editor
//
// A [Signer] holds the partner's global fields: PartnerCode, Version
// (default [DefaultVersion]), TradeTypes (request path suffix to tradeType)
// and a clock for tradeTime. [Signer.SignBody] fills those fields where the
// body leaves them absent, null or "" (a value the caller set is kept),
// removes any old sign and appends the new one last. It sends what it signs:
// every member that counts in the sign is written exactly as it is in the
// signContent, so a server that hashes the text it received agrees with one
// that decodes it first.
//
// [Signer.EditRequest] does the same to an *http.Request and has the
// signature of oapi-codegen's RequestEditorFn, so it plugs into a generated
// client:
//
//	signer := &signing.Signer{PartnerCode: "P000270", TradeTypes: vshop.TradeTypes()}
//	client, err := generated.NewClientWithResponses(baseURL,
//		generated.WithRequestEditorFn(signer.EditRequest))
//
// It must run last: client-level editors run before per-call ones, and any
// editor that rewrites the body after signing breaks the sign. EditRequest
// sets Body, ContentLength and GetBody together, so a redirect or a retry
// resends the signed bytes. An HTTP doer should call [CheckSigned] just
// before sending, which fails if the body was replaced after signing, and
// can use [SignedBytes] to log or resend the exact bytes.
//
// # Verifying on a server
//
// Call [Verify] on the request body exactly as received, before decoding,
// validating or otherwise rewriting it: the sign covers the text that was
// sent (number formats included), not a re-encoding of it.
//
//	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//	...
//	switch err := signing.Verify(body); {
//	case errors.Is(err, signing.ErrMissingSign), errors.Is(err, signing.ErrBadSign):
//		// reject: not signed, or signed over different content
//	case err != nil:
//		// reject: the body is not a signable JSON object (ErrInvalidBody)
//	}
//
// The comparison is constant-time and the error never reveals the expected
// sign. Only the lowercase hex form is accepted.
package signing
