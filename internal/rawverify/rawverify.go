// Package rawverify checks the sign of a received Mall API request body over the text that was
// received, the way a server that never re-encodes anything would: it takes each top-level member's
// key and value exactly as they appear on the wire, drops "sign" and the members whose value is ""
// or null, sorts the rest by their decoded key, joins them as {key:value,...} without re-encoding
// anything, and compares the lowercase hex MD5 of that text with the body's sign.
//
// It is written from the rule in the Linksfield fact sheet (section 3, "Signature algorithm"), not
// from package signing, and shares no code with it, so that test servers (the client's tests, the
// fake Mall's) can check that the client sends what it signs: a body whose members are escaped
// differently from the signContent (say "a\u0026b" on the wire, "a&b" signed) fails here, although
// a server that decodes the body before hashing accepts it.
package rawverify

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is wrapped by the errors for a body that is not a JSON object in valid UTF-8, or that
// has two top-level members with the same decoded key.
var ErrInvalid = errors.New("rawverify: invalid body")

// ErrMissingSign is returned when the body has no sign member, or its value is "" or null.
var ErrMissingSign = errors.New("rawverify: no sign")

// ErrBadSign is wrapped by the error for a sign that is not a string or does not match the raw text.
var ErrBadSign = errors.New("rawverify: bad sign")

// Member is one top-level member of a body: its key decoded, and its key and value as raw text.
type Member struct {
	Key      string // decoded
	RawKey   []byte // the key as received, quotes included
	RawValue []byte // the value as received
}

// Members splits a JSON object body into its top-level members, in the order received. The raw
// slices share body's memory.
func Members(body []byte) ([]Member, error) {
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	if !json.Valid(body) {
		return nil, fmt.Errorf("%w: not valid JSON", ErrInvalid)
	}
	i := ws(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalid)
	}
	// body is valid JSON, so the scan below only has to find where each token ends.
	var ms []Member
	seen := map[string]bool{}
	i = ws(body, i+1)
	for body[i] != '}' {
		kEnd := stringEnd(body, i)
		rawKey := body[i:kEnd]
		var key string
		if err := json.Unmarshal(rawKey, &key); err != nil {
			return nil, fmt.Errorf("%w: key %s: %v", ErrInvalid, rawKey, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("%w: duplicate key %q", ErrInvalid, key)
		}
		seen[key] = true
		v := ws(body, ws(body, kEnd)+1) // past the ':'
		vEnd := valueEnd(body, v)
		ms = append(ms, Member{Key: key, RawKey: rawKey, RawValue: body[v:vEnd]})
		i = ws(body, vEnd)
		if body[i] == ',' {
			i = ws(body, i+1)
		}
	}
	return ms, nil
}

// Content returns the text the sign of body must be the MD5 of: the raw text of the top-level
// members other than sign and those whose value is "" or null, sorted by decoded key (byte order),
// written as {key:value,...}.
func Content(body []byte) ([]byte, error) {
	ms, err := Members(body)
	if err != nil {
		return nil, err
	}
	ms = slices.DeleteFunc(ms, func(m Member) bool { return m.Key == "sign" || empty(m.RawValue) })
	slices.SortFunc(ms, func(a, b Member) int { return strings.Compare(a.Key, b.Key) })
	var b bytes.Buffer
	b.WriteByte('{')
	for k, m := range ms {
		if k > 0 {
			b.WriteByte(',')
		}
		b.Write(m.RawKey)
		b.WriteByte(':')
		b.Write(m.RawValue)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Verify checks the sign of body over its raw text (see the package documentation). It returns nil
// when the sign matches, and otherwise an error wrapping ErrInvalid, ErrMissingSign or ErrBadSign
// that, for a mismatch, quotes the content that was hashed.
func Verify(body []byte) error {
	content, err := Content(body)
	if err != nil {
		return err
	}
	ms, _ := Members(body) // Content succeeded, so this does too
	i := slices.IndexFunc(ms, func(m Member) bool { return m.Key == "sign" })
	if i < 0 || empty(ms[i].RawValue) {
		return ErrMissingSign
	}
	var sign string
	if err := json.Unmarshal(ms[i].RawValue, &sign); err != nil {
		return fmt.Errorf("%w: sign is not a string: %s", ErrBadSign, ms[i].RawValue)
	}
	sum := md5.Sum(content)
	if want := hex.EncodeToString(sum[:]); sign != want {
		return fmt.Errorf("%w: sign %s is not the MD5 of the received text %s (%s)", ErrBadSign, sign, content, want)
	}
	return nil
}

// empty reports whether a raw value is "" or null, the values that do not count in the sign.
func empty(raw []byte) bool { return string(raw) == `""` || string(raw) == "null" }

// ws skips JSON whitespace from b[i].
func ws(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the offset just past the string whose opening quote is b[i].
func stringEnd(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// valueEnd returns the offset just past the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}
