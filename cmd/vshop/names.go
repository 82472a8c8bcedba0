package main

import "github.com/vshop-go/vshop"

// enumNames gives, by the JSON name of an answer's field, the library's human name of an enum code
// ("" for a code the spec does not list).
var enumNames = map[string]func(code string) string{
	"packageType":  func(c string) string { return vshop.PackageType(c).Name() },
	"orderStatus":  func(c string) string { return vshop.OrderStatus(c).Name() },
	"autoRenewal":  func(c string) string { return vshop.AutoRenewal(c).Name() },
	"mark":         func(c string) string { return vshop.Mark(c).Name() },
	"terminal":     func(c string) string { return vshop.Terminal(c).Name() },
	"languageCode": func(c string) string { return vshop.LanguageCode(c).Name() },
}
