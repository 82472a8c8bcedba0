package main

import (
	"cmp"

	"github.com/vshop-go/vshop/generated"
)

// This file adapts the CLI to what the library does not yet offer: the human names of enum codes
// and the request fields set by --language, --mark and --terminal. It goes away when package vshop
// has them (the front door: Name() methods and WithLanguage, WithMark, WithTerminal).

// enumNames gives, by the JSON name of an answer's field, the human name of an enum code.
var enumNames = map[string]func(code string) string{
	"packageType": func(c string) string { return packageTypeName(generated.PackageType(c)) },
	"orderStatus": func(c string) string { return orderStatusName(generated.OrderStatus(c)) },
	"autoRenewal": func(c string) string {
		return map[generated.AutoRenewal]string{generated.AutoRenewalOff: "off", generated.AutoRenewalOn: "on"}[generated.AutoRenewal(c)]
	},
	"mark": func(c string) string {
		return map[generated.Mark]string{generated.MarkLinksfieldCard: "Linksfield card", generated.MarkOtherCard: "other card"}[generated.Mark(c)]
	},
	"terminal": func(c string) string {
		return map[generated.Terminal]string{generated.TerminalMobile: "mobile", generated.TerminalPC: "PC"}[generated.Terminal(c)]
	},
}

// packageTypeName names a plan type for people ("monthly").
func packageTypeName(t generated.PackageType) string {
	names := map[generated.PackageType]string{
		generated.PackageTypeDaySchedule: "day schedule",
		generated.PackageTypeDaily:       "daily",
		generated.PackageTypeMonthly:     "monthly",
		generated.PackageTypeQuarterly:   "quarterly",
		generated.PackageTypeHalfYearly:  "half-yearly",
		generated.PackageTypeYearly:      "yearly",
	}
	return cmp.Or(names[t], string(t))
}

// orderStatusName names an order status for people (meanings inferred by the spec).
func orderStatusName(s generated.OrderStatus) string {
	switch s {
	case generated.OrderStatusInUse:
		return "in use"
	case generated.OrderStatusNotEnabled:
		return "not enabled yet"
	}
	return cmp.Or(string(s), "-")
}

// requestFields are the request fields every operation takes from --language, --mark and --terminal.
type requestFields struct {
	language generated.LanguageCode
	mark     generated.Mark
	terminal generated.Terminal
}

// requestFields returns the values of --language, --mark and --terminal.
func (a *app) requestFields() requestFields {
	return requestFields{
		language: generated.LanguageCode(a.language.value()),
		mark:     generated.Mark(a.mark.value()),
		terminal: generated.Terminal(a.terminal.value()),
	}
}
