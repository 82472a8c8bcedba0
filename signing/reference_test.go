package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a second, deliberately simple formulation of the rule,
// built on encoding/json and written differently from the fast path: the
// tests and FuzzCanonical check that both agree, byte for byte and on which
// bodies are rejected.

// refMember is one member of a decoded object, in input order.
type refMember struct {
	key string
	val any // nil, bool, json.Number, string, refObject or []any
}

type refObject []refMember

// refEscape matches one backslash escape; scanning left to right keeps "\\"
// pairs together. In valid JSON backslashes occur only inside strings, so
// matching the whole body finds exactly the escapes of its strings.
var refEscape = regexp.MustCompile(`\\(?:u([0-9a-fA-F]{4})|[^u])`)

// refCheckSurrogates rejects \u escapes that do not form a surrogate pair
// (encoding/json would silently turn them into U+FFFD).
func refCheckSurrogates(body []byte) error {
	ms := refEscape.FindAllSubmatchIndex(body, -1)
	unit := func(m []int) (uint64, bool) {
		if m[2] < 0 {
			return 0, false
		}
		u, _ := strconv.ParseUint(string(body[m[2]:m[3]]), 16, 16)
		return u, true
	}
	for i := 0; i < len(ms); i++ {
		u, ok := unit(ms[i])
		switch {
		case !ok || u < 0xd800 || u > 0xdfff:
			continue
		case u >= 0xdc00:
			return fmt.Errorf("ref: lone low surrogate at %d", ms[i][0])
		}
		if i+1 < len(ms) && ms[i+1][0] == ms[i][1] {
			if u2, ok := unit(ms[i+1]); ok && u2 >= 0xdc00 && u2 <= 0xdfff {
				i++
				continue
			}
		}
		return fmt.Errorf("ref: lone high surrogate at %d", ms[i][0])
	}
	return nil
}

// refDecode reads one value from the token stream.
func refDecode(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // nil, bool, json.Number or string
	}
	if depth >= maxDepth {
		return nil, errors.New("ref: too deep")
	}
	switch d {
	case '{':
		obj := refObject{}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k := kt.(string)
			if seen[k] {
				return nil, fmt.Errorf("ref: duplicate key %q", k)
			}
			seen[k] = true
			v, err := refDecode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			obj = append(obj, refMember{k, v})
		}
		_, err = dec.Token() // '}'
		return obj, err
	case '[':
		arr := []any{}
		for dec.More() {
			v, err := refDecode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err = dec.Token() // ']'
		return arr, err
	}
	return nil, fmt.Errorf("ref: unexpected %v", d)
}

// referenceCanonical computes the signContent the slow way.
func referenceCanonical(body []byte) ([]byte, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("ref: invalid UTF-8")
	}
	if !json.Valid(body) {
		return nil, errors.New("ref: not valid JSON")
	}
	if err := refCheckSurrogates(body); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := refDecode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("ref: trailing data (%v)", err)
	}
	obj, ok := v.(refObject)
	if !ok {
		return nil, fmt.Errorf("ref: top level is %T, not an object", v)
	}
	var kept refObject
	for _, m := range obj {
		if m.key == "sign" || m.val == nil || m.val == "" {
			continue
		}
		kept = append(kept, m)
	}
	var sb strings.Builder
	refWrite(&sb, kept)
	return []byte(sb.String()), nil
}

func refWrite(sb *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		sb.WriteString(strconv.FormatBool(v))
	case json.Number:
		sb.WriteString(v.String()) // the literal as sent
	case string:
		refQuote(sb, v)
	case []any:
		sb.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				sb.WriteByte(',')
			}
			refWrite(sb, e)
		}
		sb.WriteByte(']')
	case refObject:
		sorted := append(refObject(nil), v...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].key < sorted[j].key })
		sb.WriteByte('{')
		for i, m := range sorted {
			if i > 0 {
				sb.WriteByte(',')
			}
			refQuote(sb, m.key)
			sb.WriteByte(':')
			refWrite(sb, m.val)
		}
		sb.WriteByte('}')
	default:
		panic(fmt.Sprintf("ref: unexpected %T", v))
	}
}

// refShort are the two-character escapes of JSON.stringify and Python's json.
var refShort = map[rune]string{'"': `\"`, '\\': `\\`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}

func refQuote(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		if e, ok := refShort[r]; ok {
			sb.WriteString(e)
		} else if r < 0x20 {
			fmt.Fprintf(sb, `\u%04x`, r)
		} else {
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
}
