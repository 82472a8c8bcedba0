package signing

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Field is one top-level string member of a request body: every documented Vshop request field is a
// JSON string. A typed client builds a request as a list of Fields and signs it with AppendSigned,
// without writing JSON and parsing it back.
type Field struct {
	Name  string // the JSON key, e.g. "deviceCode"
	Value string // the string value, unescaped; "" means absent
}

// MaxFields bounds the members AppendSigned takes (Vshop requests have at most 22).
const MaxFields = 64

// AppendSigned appends to dst the body to send for a request made of fields, the global fields
// (partnerCode, version, tradeType, tradeTime) included, and returns it. The body is the signContent
// itself with the sign appended:
//
//	{"deviceCode":"8985…","languageCode":"1",…,"version":"3.0","sign":"<32 lowercase hex>"}
//
// that is, every member in key byte order, written canonically (see AppendCanonical), then sign. So
// the bytes on the wire carry every signed member exactly as it was signed: a server that hashes the
// text it received and one that decodes it first agree, and Sign of the result is its sign.
//
// Fields whose Value is "" are left out of the body (they would not count in the sign either). The
// order of fields does not matter. Errors name the field: a name given twice, a field named sign,
// invalid UTF-8 in a name or value, more than MaxFields fields. On error dst is returned unchanged.
func AppendSigned(dst []byte, fields []Field) ([]byte, error) {
	if len(fields) > MaxFields {
		return dst, fmt.Errorf("signing: %d fields, more than the %d a request may have", len(fields), MaxFields)
	}
	var all [MaxFields]Field
	n := 0
	for _, f := range fields {
		if f.Name == "sign" {
			return dst, errors.New(`signing: the field "sign" is computed, not given`)
		}
		if f.Value == "" {
			continue
		}
		all[n] = f
		n++
	}
	m := all[:n]
	// Insertion sort: a handful of members, usually sorted already.
	for i := 1; i < len(m); i++ {
		for j := i; j > 0 && m[j].Name < m[j-1].Name; j-- {
			m[j], m[j-1] = m[j-1], m[j]
		}
	}
	start := len(dst)
	dst = append(dst, '{')
	for i, f := range m {
		if i > 0 {
			if f.Name == m[i-1].Name {
				return dst[:start], fmt.Errorf("signing: field %q is given twice", f.Name)
			}
			dst = append(dst, ',')
		}
		if !utf8.ValidString(f.Name) {
			return dst[:start], fmt.Errorf("signing: field name %q is not valid UTF-8", f.Name)
		}
		if !utf8.ValidString(f.Value) {
			return dst[:start], fmt.Errorf("signing: %s: the value is not valid UTF-8: %q", f.Name, f.Value)
		}
		dst = appendQuoted(dst, f.Name)
		dst = append(dst, ':')
		dst = appendQuoted(dst, f.Value)
	}
	dst = append(dst, '}')
	sum := md5.Sum(dst[start:])
	dst = dst[:len(dst)-1]
	if len(m) > 0 {
		dst = append(dst, ',')
	}
	dst = append(dst, `"sign":"`...)
	dst = hex.AppendEncode(dst, sum[:])
	return append(dst, '"', '}'), nil
}
