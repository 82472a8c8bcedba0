package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vshop-go/vshop"
)

// choice is one accepted value of an enumerated flag.
type choice struct {
	names []string // what a user may type, case-insensitive; the first is shown in help and messages
	value string   // what the request carries (a code, a URL, a format name)
}

// choiceFlag is a flag (a pflag.Value) that takes one of a fixed set of choices. An unknown value is
// refused while the command line is parsed, so it never reaches a command.
type choiceFlag struct {
	kind    string // what the value is, for help and messages: "language", "terminal", ...
	choices []choice
	current int
	// want describes the accepted values in help and messages; empty means every name of every
	// choice ("mobile or 0, pc or 1").
	want string
}

// Set selects the choice one of whose names is s.
func (f *choiceFlag) Set(s string) error {
	for i, c := range f.choices {
		for _, n := range c.names {
			if strings.EqualFold(n, strings.TrimSpace(s)) {
				f.current = i
				return nil
			}
		}
	}
	return fmt.Errorf("unknown %s %q: want %s", f.kind, s, f.describe())
}

// String is the selected choice's first name.
func (f *choiceFlag) String() string { return f.choices[f.current].names[0] }

// Type names the kind of value in help ("--language language").
func (f *choiceFlag) Type() string { return f.kind }

// value is what the request carries for the selected choice.
func (f *choiceFlag) value() string { return f.choices[f.current].value }

// complete offers the first names of the choices to shell completion.
func (f *choiceFlag) complete(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return strings.Split(f.names(), "|"), cobra.ShellCompDirectiveNoFileComp
}

// names lists the first names of the choices: "json|table".
func (f *choiceFlag) names() string {
	var names []string
	for _, c := range f.choices {
		names = append(names, c.names[0])
	}
	return strings.Join(names, "|")
}

// describe says which values are accepted: want, or every name of every choice ("mobile or 0, pc or 1").
func (f *choiceFlag) describe() string {
	if f.want != "" {
		return f.want
	}
	var parts []string
	for _, c := range f.choices {
		parts = append(parts, strings.Join(c.names, " or "))
	}
	return strings.Join(parts, ", ")
}

// envFlag is --env: the service to call. The default is UAT: production is only chosen explicitly.
func envFlag() *choiceFlag {
	return &choiceFlag{kind: "env", current: 1, choices: []choice{
		{names: []string{"production", "prod"}, value: vshop.ProductionURL},
		{names: []string{"uat"}, value: vshop.UATURL},
		{names: []string{"cube-uat"}, value: vshop.CubeUATURL},
		{names: []string{"sandbox"}, value: sandboxURL},
	}}
}

// languageFlag is --language: a short name (zh is simplified Chinese, zh-TW and zh-HK traditional) or
// the Vshop code 0–11. The default is English.
func languageFlag() *choiceFlag {
	f := &choiceFlag{kind: "language", current: 1}
	var want []string
	for _, l := range []struct {
		code vshop.LanguageCode
		name string
	}{
		{vshop.LanguageChinese, "zh"}, {vshop.LanguageEnglish, "en"}, {vshop.LanguageSpanish, "es"},
		{vshop.LanguageFrench, "fr"}, {vshop.LanguagePortuguese, "pt"}, {vshop.LanguageHindi, "hi"},
		{vshop.LanguageGerman, "de"}, {vshop.LanguageJapanese, "ja"}, {vshop.LanguageKorean, "ko"},
		{vshop.LanguageArabic, "ar"}, {vshop.LanguageTraditionalChineseTaiwan, "zh-TW"},
		{vshop.LanguageTraditionalChineseHongKong, "zh-HK"},
	} {
		f.choices = append(f.choices, choice{names: []string{l.name, string(l.code)}, value: string(l.code)})
		want = append(want, l.name+"="+string(l.code))
	}
	f.want = "a name or its code, " + strings.Join(want, " ")
	return f
}

// terminalFlag is --terminal. The default is mobile, the value of most documented examples.
func terminalFlag() *choiceFlag {
	return &choiceFlag{kind: "terminal", choices: []choice{
		{names: []string{"mobile", string(vshop.TerminalMobile)}, value: string(vshop.TerminalMobile)},
		{names: []string{"pc", string(vshop.TerminalPC)}, value: string(vshop.TerminalPC)},
	}}
}

// markFlag is --mark, the card-ownership flag. The default is a Linksfield card ("send 0 by default").
func markFlag() *choiceFlag {
	return &choiceFlag{kind: "mark", choices: []choice{
		{names: []string{"linksfield", string(vshop.MarkLinksfieldCard)}, value: string(vshop.MarkLinksfieldCard)},
		{names: []string{"other", string(vshop.MarkOtherCard)}, value: string(vshop.MarkOtherCard)},
	}}
}

// outputFlag is --output. The default is JSON.
func outputFlag() *choiceFlag {
	return &choiceFlag{kind: "format", choices: []choice{
		{names: []string{"json"}, value: "json"},
		{names: []string{"table"}, value: "table"},
	}}
}

// deviceProblem says what is wrong with a device code, or returns "" if it is acceptable, by the
// spec's rule for deviceCode (the same DeviceCode schema in every operation), from the library.
func deviceProblem(code string) string {
	if code == "" {
		return "must not be empty"
	}
	if specRule(vshop.OpVerifyCard, "deviceCode", code) != nil {
		return fmt.Sprintf("must be digits (an ICCID or IMEI), got %q", code)
	}
	return ""
}

// specRule checks value against the spec's rule for member of the operation op (the library's
// Operation.Check), returning the *vshop.ValidationError that names the rule, or nil.
func specRule(op, member, value string) *vshop.ValidationError {
	o, ok := vshop.OperationByID(op)
	if !ok {
		return &vshop.ValidationError{Operation: op, Field: member, Rule: "the spec has no operation " + op}
	}
	var ve *vshop.ValidationError
	if errors.As(o.Check(member, value), &ve) {
		return ve
	}
	return nil
}

// checkDevice validates the device code given with flag (--device).
func checkDevice(flag, code string) error {
	if code == "" {
		return usageErrorf("%s: required: the card's ICCID (or the device's IMEI), digits only", flag)
	}
	if p := deviceProblem(code); p != "" {
		return usageErrorf("%s: %s", flag, p)
	}
	return nil
}

// checkRequired refuses an empty value of flag; what says what the flag is.
func checkRequired(flag, value, what string) error {
	if strings.TrimSpace(value) == "" {
		return usageErrorf("%s: required: %s", flag, what)
	}
	return nil
}

// checkField refuses a value of flag that breaks the spec's rule for member of the operation op;
// want describes a good value.
func checkField(flag, op, member, value, want string) error {
	if ve := specRule(op, member, value); ve != nil {
		return usageErrorf("%s: must be %s, got %q (the spec's rule for %s: %s)", flag, want, value, member, ve.Rule)
	}
	return nil
}

// firstError returns the first non-nil error of errs.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
