package vshoptest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Version is the only interface version the fake accepts: "3.0", the one every Vshop page documents.
const Version = "3.0"

// MaxClockSkew is how far a request's tradeTime may be from the fake's clock, either way. Linksfield
// documents no window; ten minutes is the fake's choice, wide enough for a machine whose clock is a
// little off and narrow enough to catch a tradeTime that is not the time of the request.
const MaxClockSkew = 10 * time.Minute

// tooLong names the first member (in name order) whose value is longer than MaxFieldBytes, or
// returns "".
func (s *mall) tooLong(members map[string]json.RawMessage) string {
	limit := s.limits.MaxFieldBytes
	var names []string
	for name, v := range members {
		if valueLen(v) > limit {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return fmt.Sprintf("%s: %d bytes, over the fake's limit of %d bytes per field (vshoptest.Limits.MaxFieldBytes)",
		names[0], valueLen(members[names[0]]), limit)
}

// valueLen is the length of a member's value as sent, without the quotes of a string.
func valueLen(v json.RawMessage) int {
	if n := len(v); n >= 2 && v[0] == '"' && v[n-1] == '"' {
		return n - 2
	}
	return len(v)
}

// strict checks what the spec leaves open but the real API implies: version "3.0" and a tradeTime
// that is the time of the request. It returns "" when the body passes. The spec's validation has
// already run, so these members are present and strings, and tradeType is the operation's (each
// request schema's tradeType is a one-value enum).
func (s *mall) strict(members map[string]json.RawMessage) string {
	str := func(name string) string {
		var v string
		_ = json.Unmarshal(members[name], &v) // a string, checked by the spec's validation
		return v
	}
	if v := str("version"); v != Version {
		return fmt.Sprintf("version: is %q: the fake accepts only %q, the version every Vshop page documents", v, Version)
	}
	tt := str("tradeTime")
	if len(tt) != 13 {
		return fmt.Sprintf("tradeTime: is %q: send the time of the request in epoch milliseconds, 13 digits (such as 1645683857572)", tt)
	}
	ms, err := strconv.ParseInt(tt, 10, 64)
	if err != nil {
		return fmt.Sprintf("tradeTime: is %q: send 13 digits of epoch milliseconds", tt)
	}
	sent, now := time.UnixMilli(ms), s.now()
	if off := sent.Sub(now).Abs(); off > MaxClockSkew {
		return fmt.Sprintf("tradeTime: %s is %v away from the fake's clock (%s): the fake accepts at most %v either way "+
			"(a client of a fake with a fixed clock needs the same clock: vshop.WithClock, or Server.Client)",
			sent.UTC().Format(time.RFC3339), off.Round(time.Second), now.UTC().Format(time.RFC3339), MaxClockSkew)
	}
	return ""
}
