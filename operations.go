package vshop

import (
	"slices"

	"github.com/vshop-go/vshop/internal/specvalidate"
	"github.com/vshop-go/vshop/signing"
)

// Operation is one operation of the Vshop spec as the client knows it. The table of operations is
// generated from openapi/vshop.yaml by `make generate` (operations.gen.go): this is the one place
// where the client, the fake Mall and the CLI learn paths, operationIds, tradeTypes and retry
// classes. Read it with [Operations].
type Operation struct {
	// ID is the spec's operationId, e.g. "listAutoRenewals" (one of the Op constants).
	ID string
	// Path is the operation's path, e.g. "/queryAutoRenewalRecord", to be appended to a base URL.
	Path string
	// TradeType is the tradeType its requests carry (the spec's x-trade-type), e.g. "queryAutoRenewalRecord".
	TradeType string
	// Summary is the spec's one-line summary.
	Summary string
	// Retry says when a request of the operation may be sent more than once (the spec's x-retry).
	Retry RetryClass

	idx    int                    // its index in operationTable
	rules  specvalidate.BodyRules // the request body's rules, for validation before send
	legacy legacySuccess          // documented success replies without an envelope
}

// legacySuccess is the spec's x-legacy-success of an operation: the success replies Linksfield
// documents without the {operateCode, message, data} envelope that the client accepts as successes.
// The zero value accepts none.
type legacySuccess struct {
	// flatIfAny: an object without operateCode that has one of these members as a non-empty string
	// is the data itself (createOrder's 2022 reply: the order's ids).
	flatIfAny []string
	// emptyObject: {} is a success without data (cancelAutoRenewal's 2022 reply).
	emptyObject bool
}

// accepts reports whether an answer without operateCode is a documented success reply.
func (l legacySuccess) accepts(env *envelope) bool {
	if len(env.members) == 0 {
		return l.emptyObject
	}
	for _, name := range l.flatIfAny {
		if env.hasString(name) {
			return true
		}
	}
	return false
}

// RetryClass says when a request may be sent more than once; [DefaultRetrySafe] follows it.
type RetryClass struct {
	// Always is true for an operation that only reads: a repeat does no harm.
	Always bool
	// IfSet, when Always is false, names the fields that must all be set (not blank) for a repeat to
	// be the same request (createOrder's orderNo). Empty: never repeat.
	IfSet []string
}

// Operations returns the operations of the spec, in the spec's order. The slice is a copy: changing
// it changes nothing in the client.
func Operations() []Operation {
	ops := make([]Operation, len(operationTable))
	copy(ops, operationTable[:])
	for i := range ops {
		ops[i].Retry.IfSet = append([]string(nil), ops[i].Retry.IfSet...)
	}
	return ops
}

// TradeTypes maps each operation's path to its tradeType, in the form [signing.Signer] takes as
// TradeTypes: for signing requests made with the raw generated client (package generated) through
// signing.Signer.EditRequest.
func TradeTypes() map[string]string {
	m := make(map[string]string, len(operationTable))
	for _, op := range operationTable {
		m[op.Path] = op.TradeType
	}
	return m
}

// RequestFields returns the names of the members the spec gives the operation's request body,
// the global ones (partnerCode, version, tradeType, tradeTime, sign) included, in byte order.
func (op Operation) RequestFields() []string {
	names := make([]string, 0, len(op.rules)+1)
	for _, r := range op.rules {
		names = append(names, r.Name)
	}
	if !slices.Contains(names, "sign") { // the generated rules leave sign out: the client computes it
		names = append(names, "sign")
		slices.Sort(names)
	}
	return names
}

// Check checks one value of the request member name against the spec's rule for it, as the client
// does before sending: nil, or a [*ValidationError] naming the member and the rule (a required
// member's "" is "is required"). A CLI or a form can use it to refuse bad input early, with the
// spec's own rule. A member the operation does not have is a *ValidationError too.
func (op Operation) Check(name, value string) error {
	for i := range op.rules {
		if op.rules[i].Name == name {
			return validate(&op, Fields{list: []signing.Field{{Name: name, Value: value}}}, op.rules[i:i+1])
		}
	}
	return &ValidationError{Operation: op.ID, Field: name, Rule: "is not a member of the request"}
}

// OperationByID returns the operation whose operationId is id ("listOrders"), as [Operations] lists it.
func OperationByID(id string) (Operation, bool) {
	for _, op := range Operations() {
		if op.ID == id {
			return op, true
		}
	}
	return Operation{}, false
}
