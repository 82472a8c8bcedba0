package signing

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalidBody is wrapped by every error that AppendCanonical, Canonical,
// Sign, Verify and SignBody return for a body that cannot be signed: not a
// JSON object, malformed JSON, trailing data, invalid UTF-8, an unpaired
// surrogate escape, a duplicate key or nesting deeper than 10000 levels.
// The wrapping error names the problem and its byte offset (and the key, if
// any). A server should answer such a request as a client error.
var ErrInvalidBody = errors.New("signing: invalid JSON body")

// ErrMissingSign is returned (possibly wrapped) by Verify when the body has no
// "sign" member, or its value is null or the empty string.
var ErrMissingSign = errors.New("signing: body has no sign")

// ErrBadSign is returned (wrapped with detail) by Verify when the body's
// "sign" does not match its content, or is not a JSON string. The detail
// never includes the expected sign.
var ErrBadSign = errors.New("signing: bad sign")

// maxDepth is the deepest nesting of objects and arrays accepted, the same
// limit as encoding/json's.
const maxDepth = 10000

// kind is the type of a parsed JSON value.
type kind uint8

const (
	kindString kind = iota + 1
	kindNumber
	kindBool
	kindNull
	kindObject
	kindArray
)

// node is one parsed JSON value; members of objects also carry their key.
// Children of an object or array are linked through next, in input order.
//
// Nodes hold no pointers (offsets only, int32 to keep them small), which
// makes appending them cheap.
type node struct {
	keyOff int32 // offset of the key's opening quote (object members only)
	keyEnd int32 // offset just past the key's closing quote
	decOff int32 // start of the decoded key in state.scratch, or -1 if the key has no escapes
	decEnd int32
	off    int32 // raw value: src[off:end]
	end    int32
	next   int32 // next sibling, or -1
	child  int32 // first child, or -1
	kind   kind
	esc    bool // a string value that contains backslash escapes
	role   int8 // for SignBody: which field a top-level member is
}

// maxBody is the largest body accepted, so that offsets fit in int32.
const maxBody = math.MaxInt32 - 1

// key returns the decoded key of member node c.
func (st *state) key(c int) []byte {
	n := &st.nodes[c]
	if n.decOff >= 0 {
		return st.scratch[n.decOff:n.decEnd]
	}
	return st.src[n.keyOff+1 : n.keyEnd-1]
}

// empty reports whether a top-level member's value is null or "".
func (n *node) empty() bool {
	return n.kind == kindNull || (n.kind == kindString && n.end-n.off == 2)
}

// state is the reusable working memory of one signing operation.
type state struct {
	src     []byte
	nodes   []node
	scratch []byte // decoded keys that contained escapes
	stack   []int  // member indices being sorted, one segment per open object
	tmp     []byte // canonical form
	discard []byte // output of values that are checked but not signed
	in      []byte // request body read by EditRequest
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func getState() *state { return statePool.Get().(*state) }

// maxPooled bounds the buffers kept for reuse, so that one huge body does not
// pin its memory forever.
const maxPooled = 64 << 10

func putState(st *state) {
	st.src = nil
	if cap(st.nodes) > maxPooled/64 {
		st.nodes = nil
	}
	st.nodes = st.nodes[:0]
	if cap(st.scratch) > maxPooled {
		st.scratch = nil
	}
	if cap(st.stack) > maxPooled/8 {
		st.stack = nil
	}
	if cap(st.tmp) > maxPooled {
		st.tmp = nil
	}
	if cap(st.discard) > maxPooled {
		st.discard = nil
	}
	if cap(st.in) > maxPooled {
		st.in = nil
	}
	statePool.Put(st)
}

// syntaxErr reports a problem at a byte offset of the body.
func syntaxErr(off int, format string, args ...any) error {
	return fmt.Errorf("%w: byte offset %d: %s", ErrInvalidBody, off, fmt.Sprintf(format, args...))
}

// describe names the byte at src[i] for an error message.
func describe(src []byte, i int) string {
	if i >= len(src) {
		return "end of input"
	}
	c := src[i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func skipWS(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// parse parses and validates the whole body into st.nodes; node 0 is the
// top-level object. Duplicate keys are found later, when members are sorted.
func (st *state) parse(src []byte) error {
	st.src = src
	st.nodes = st.nodes[:0]
	st.scratch = st.scratch[:0]
	if len(src) > maxBody {
		return fmt.Errorf("%w: body is larger than %d bytes", ErrInvalidBody, maxBody)
	}
	i := skipWS(src, 0)
	if i == len(src) {
		return fmt.Errorf("%w: body is empty, want a JSON object", ErrInvalidBody)
	}
	if src[i] != '{' {
		return syntaxErr(i, "body is not a JSON object: found %s", describe(src, i))
	}
	st.newNode()
	end, err := st.parseValue(i, 0, 1)
	if err != nil {
		return err
	}
	if j := skipWS(src, end); j != len(src) {
		return syntaxErr(j, "trailing data after the JSON object: found %s", describe(src, j))
	}
	return nil
}

// newNode appends a node with no key, value or links and returns its index.
// (Setting the fields one by one is markedly faster than appending a
// composite literal, which the compiler builds on the stack and copies.)
func (st *state) newNode() int {
	i := len(st.nodes)
	if i == cap(st.nodes) {
		st.nodes = slices.Grow(st.nodes, 1)
	}
	st.nodes = st.nodes[:i+1]
	n := &st.nodes[i]
	n.keyOff, n.keyEnd, n.decOff, n.decEnd = 0, 0, -1, 0
	n.off, n.end, n.next, n.child = 0, 0, -1, -1
	n.kind, n.esc, n.role = 0, false, roleOther
	return i
}

// parseValue parses the value starting at src[i] (not whitespace) into node
// idx and returns the offset just past it.
func (st *state) parseValue(i, idx, depth int) (int, error) {
	src := st.src
	if i >= len(src) {
		return 0, syntaxErr(i, "unexpected end of input, want a value")
	}
	var (
		k   kind
		end int
		esc bool
		err error
	)
	switch c := src[i]; {
	case c == '"':
		k = kindString
		end, esc, err = scanString(src, i)
	case c == '{' || c == '[':
		if depth > maxDepth {
			return 0, syntaxErr(i, "nesting deeper than %d levels", maxDepth)
		}
		if c == '{' {
			return st.parseObject(i, idx, depth)
		}
		return st.parseArray(i, idx, depth)
	case c == '-' || (c >= '0' && c <= '9'):
		k = kindNumber
		end, err = scanNumber(src, i)
	case c == 't':
		k = kindBool
		end, err = scanLiteral(src, i, "true")
	case c == 'f':
		k = kindBool
		end, err = scanLiteral(src, i, "false")
	case c == 'n':
		k = kindNull
		end, err = scanLiteral(src, i, "null")
	default:
		return 0, syntaxErr(i, "unexpected %s, want a value", describe(src, i))
	}
	if err != nil {
		return 0, err
	}
	n := &st.nodes[idx]
	n.kind, n.off, n.end, n.esc = k, int32(i), int32(end), esc
	return end, nil
}

func (st *state) parseObject(start, idx, depth int) (int, error) {
	src := st.src
	first, prev := -1, -1
	i := skipWS(src, start+1)
	if i < len(src) && src[i] == '}' {
		i++
	} else {
		for {
			if i >= len(src) || src[i] != '"' {
				return 0, syntaxErr(i, "unexpected %s, want a string key", describe(src, i))
			}
			keyEnd, kesc, err := scanString(src, i)
			if err != nil {
				return 0, err
			}
			decOff, decEnd := -1, 0
			if kesc {
				decOff = len(st.scratch)
				st.scratch = appendUnescaped(st.scratch, src[i+1:keyEnd-1])
				decEnd = len(st.scratch)
			}
			j := skipWS(src, keyEnd)
			if j >= len(src) || src[j] != ':' {
				return 0, syntaxErr(j, "unexpected %s after key %q, want ':'", describe(src, j), keyText(st, decOff, decEnd, src[i+1:keyEnd-1]))
			}
			j = skipWS(src, j+1)
			ci := st.newNode()
			n := &st.nodes[ci]
			n.keyOff, n.keyEnd, n.decOff, n.decEnd = int32(i), int32(keyEnd), int32(decOff), int32(decEnd)
			if prev >= 0 {
				st.nodes[prev].next = int32(ci)
			} else {
				first = ci
			}
			prev = ci
			var end int
			if j < len(src) && src[j] == '"' { // the common case, inline
				var esc bool
				if end, esc, err = scanString(src, j); err != nil {
					return 0, err
				}
				n = &st.nodes[ci]
				n.kind, n.off, n.end, n.esc = kindString, int32(j), int32(end), esc
			} else if end, err = st.parseValue(j, ci, depth+1); err != nil {
				return 0, err
			}
			i = skipWS(src, end)
			if i < len(src) && src[i] == ',' {
				i = skipWS(src, i+1)
				continue
			}
			if i < len(src) && src[i] == '}' {
				i++
				break
			}
			return 0, syntaxErr(i, "unexpected %s in object, want ',' or '}'", describe(src, i))
		}
	}
	n := &st.nodes[idx]
	n.kind, n.off, n.end, n.child = kindObject, int32(start), int32(i), int32(first)
	return i, nil
}

func (st *state) parseArray(start, idx, depth int) (int, error) {
	src := st.src
	first, prev := -1, -1
	i := skipWS(src, start+1)
	if i < len(src) && src[i] == ']' {
		i++
	} else {
		for {
			ci := st.newNode()
			if prev >= 0 {
				st.nodes[prev].next = int32(ci)
			} else {
				first = ci
			}
			prev = ci
			end, err := st.parseValue(i, ci, depth+1)
			if err != nil {
				return 0, err
			}
			i = skipWS(src, end)
			if i < len(src) && src[i] == ',' {
				i = skipWS(src, i+1)
				continue
			}
			if i < len(src) && src[i] == ']' {
				i++
				break
			}
			return 0, syntaxErr(i, "unexpected %s in array, want ',' or ']'", describe(src, i))
		}
	}
	n := &st.nodes[idx]
	n.kind, n.off, n.end, n.child = kindArray, int32(start), int32(i), int32(first)
	return i, nil
}

// keyText is the decoded key for an error message while parsing.
func keyText(st *state, decOff, decEnd int, raw []byte) string {
	if decOff >= 0 {
		return string(st.scratch[decOff:decEnd])
	}
	return string(raw)
}

// plain marks the bytes that stand for themselves inside a JSON string and
// need no further look: printable ASCII other than '"' and '\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special flags the bytes of w (little endian) that are not plain: '"', '\\',
// control characters and non-ASCII. Only the lowest flag is exact, which is
// all the caller uses.
func special(w uint64) uint64 {
	q := w ^ ('"' * ones)
	b := w ^ ('\\' * ones)
	return ((q-ones)&^q | (b-ones)&^b | (w-0x20*ones)&^w | w) & highs
}

// scanString validates the string starting at the quote src[i] and returns
// the offset just past its closing quote and whether it contains escapes.
func scanString(src []byte, i int) (end int, esc bool, err error) {
	j := i + 1
	for {
		// Eight bytes at a time while none needs a closer look, then bytewise.
		for j+8 <= len(src) {
			w := binary.LittleEndian.Uint64(src[j:])
			if m := special(w); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(src) && plain[src[j]] {
			j++
		}
		if j >= len(src) {
			return 0, false, syntaxErr(i, "unterminated string")
		}
		switch c := src[j]; {
		case c == '"':
			return j + 1, esc, nil
		case c == '\\':
			esc = true
			n, err := scanEscape(src, j)
			if err != nil {
				return 0, false, err
			}
			j += n
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(src[j:])
			if r == utf8.RuneError && size == 1 {
				return 0, false, syntaxErr(j, "invalid UTF-8 (byte 0x%02x) in string", c)
			}
			j += size
		default:
			return 0, false, syntaxErr(j, "control character 0x%02x in string (must be escaped)", c)
		}
	}
}

// scanEscape validates the escape sequence at src[j] == '\\' and returns its
// length: 2, 6, or 12 for a surrogate pair.
func scanEscape(src []byte, j int) (int, error) {
	if j+1 >= len(src) {
		return 0, syntaxErr(j, "unterminated string")
	}
	switch src[j+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		r, ok := hex4(src, j+2)
		if !ok {
			return 0, syntaxErr(j, `invalid \u escape (want 4 hex digits)`)
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return 0, syntaxErr(j, `unpaired surrogate \u%04x in string`, r)
		case r >= 0xD800 && r <= 0xDBFF:
			if j+7 < len(src) && src[j+6] == '\\' && src[j+7] == 'u' {
				if r2, ok := hex4(src, j+8); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
					return 12, nil
				}
			}
			return 0, syntaxErr(j, `unpaired surrogate \u%04x in string`, r)
		}
		return 6, nil
	}
	return 0, syntaxErr(j, "invalid escape %s in string", describe(src, j+1))
}

// hex4 decodes the four hex digits at src[i:i+4].
func hex4(src []byte, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range src[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scanNumber validates the JSON number at src[i] and returns its end.
func scanNumber(src []byte, i int) (int, error) {
	start := i
	if src[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case digits() == 0:
		return 0, syntaxErr(start, "invalid number: want a digit, found %s", describe(src, i))
	}
	if i < len(src) && src[i] == '.' {
		i++
		if digits() == 0 {
			return 0, syntaxErr(start, "invalid number: want a digit after '.', found %s", describe(src, i))
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, syntaxErr(start, "invalid number: want a digit in the exponent, found %s", describe(src, i))
		}
	}
	return i, nil
}

func scanLiteral(src []byte, i int, lit string) (int, error) {
	if len(src)-i >= len(lit) && string(src[i:i+len(lit)]) == lit {
		return i + len(lit), nil
	}
	return 0, syntaxErr(i, "invalid literal, want %s", lit)
}

// appendUnescaped appends the decoded bytes of a validated string body (the
// text between the quotes).
func appendUnescaped(dst, raw []byte) []byte {
	for k := 0; k < len(raw); {
		if raw[k] != '\\' {
			start := k
			for k < len(raw) && raw[k] != '\\' {
				k++
			}
			dst = append(dst, raw[start:k]...)
			continue
		}
		c := raw[k+1]
		k += 2
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			var r rune
			r, k = escapedRune(raw, k)
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

// escapedRune decodes the validated \u escape whose hex digits start at
// raw[k] (joining a surrogate pair) and returns the rune and the offset after it.
func escapedRune(raw []byte, k int) (rune, int) {
	r, _ := hex4(raw, k)
	k += 4
	if utf16.IsSurrogate(r) {
		r2, _ := hex4(raw, k+2)
		r = utf16.DecodeRune(r, r2)
		k += 6
	}
	return r, k
}

// appendCanonicalString appends the canonical JSON form of a validated string
// body that contains escapes: each character re-encoded from its decoded value.
func appendCanonicalString(dst, raw []byte) []byte {
	dst = append(dst, '"')
	for k := 0; k < len(raw); {
		if raw[k] != '\\' {
			start := k
			for k < len(raw) && raw[k] != '\\' {
				k++
			}
			dst = append(dst, raw[start:k]...)
			continue
		}
		c := raw[k+1]
		k += 2
		switch c {
		case '/':
			dst = append(dst, '/')
		case 'u':
			var r rune
			r, k = escapedRune(raw, k)
			dst = appendCanonicalRune(dst, r)
		default: // '"', '\\', 'b', 'f', 'n', 'r', 't' are already canonical
			dst = append(dst, '\\', c)
		}
	}
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendCanonicalRune appends r as it appears inside a canonical JSON string.
func appendCanonicalRune(dst []byte, r rune) []byte {
	switch r {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	if r < 0x20 {
		return append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
	}
	return utf8.AppendRune(dst, r)
}

// appendQuoted appends s, valid UTF-8, as a canonical JSON string. Only '"', '\\' and control
// characters are escaped (see appendCanonicalRune), so the runs between them are copied in one go.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			dst = append(dst, s[start:i]...)
			dst = appendCanonicalRune(dst, rune(c))
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// sortMembers sorts member indices by decoded key, byte order.
func (st *state) sortMembers(m []int) {
	if len(m) <= 12 {
		for i := 1; i < len(m); i++ {
			for j := i; j > 0 && bytes.Compare(st.key(m[j]), st.key(m[j-1])) < 0; j-- {
				m[j], m[j-1] = m[j-1], m[j]
			}
		}
		return
	}
	slices.SortStableFunc(m, func(a, b int) int { return bytes.Compare(st.key(a), st.key(b)) })
}

// pushSorted pushes the members of object node idx on st.stack, sorted, and
// fails on a duplicate key. It returns the segment's start in st.stack.
func (st *state) pushSorted(idx int) (int, error) {
	base := len(st.stack)
	for c := int(st.nodes[idx].child); c >= 0; c = int(st.nodes[c].next) {
		st.stack = append(st.stack, c)
	}
	m := st.stack[base:]
	st.sortMembers(m)
	for k := 1; k < len(m); k++ {
		a, b := m[k-1], m[k]
		if bytes.Equal(st.key(a), st.key(b)) {
			first, second := st.nodes[a].keyOff, st.nodes[b].keyOff
			if second < first {
				first, second = second, first
			}
			st.stack = st.stack[:base]
			return 0, syntaxErr(int(second), "duplicate key %q (also at byte offset %d)", st.key(a), first)
		}
	}
	return base, nil
}

// appendKey appends the canonical form of member c's key and a colon.
func (st *state) appendKey(dst []byte, c int) []byte {
	n := &st.nodes[c]
	if n.decOff < 0 {
		dst = append(dst, st.src[n.keyOff:n.keyEnd]...)
	} else {
		dst = appendCanonicalString(dst, st.src[n.keyOff+1:n.keyEnd-1])
	}
	return append(dst, ':')
}

// appendValue appends the canonical form of value node idx.
func (st *state) appendValue(dst []byte, idx int) ([]byte, error) {
	n := &st.nodes[idx]
	switch n.kind {
	case kindString:
		if n.esc {
			return appendCanonicalString(dst, st.src[n.off+1:n.end-1]), nil
		}
		return append(dst, st.src[n.off:n.end]...), nil
	case kindArray:
		dst = append(dst, '[')
		for c := int(n.child); c >= 0; c = int(st.nodes[c].next) {
			if c != int(n.child) {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = st.appendValue(dst, c); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case kindObject:
		base, err := st.pushSorted(idx)
		if err != nil {
			return dst, err
		}
		dst = append(dst, '{')
		for k := base; k < len(st.stack); k++ {
			c := st.stack[k]
			if k > base {
				dst = append(dst, ',')
			}
			dst = st.appendKey(dst, c)
			if dst, err = st.appendValue(dst, c); err != nil {
				st.stack = st.stack[:base]
				return dst, err
			}
		}
		st.stack = st.stack[:base]
		return append(dst, '}'), nil
	}
	return append(dst, st.src[n.off:n.end]...), nil // number, true, false, null
}

// isSign reports whether top-level member c is the "sign" member.
func (st *state) isSign(c int) bool { return string(st.key(c)) == "sign" }

// appendCanonical appends the signContent of the parsed body.
func (st *state) appendCanonical(dst []byte) ([]byte, error) {
	st.stack = st.stack[:0]
	base, err := st.pushSorted(0)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	first := true
	for k := base; k < len(st.stack); k++ {
		c := st.stack[k]
		n := &st.nodes[c]
		if st.isSign(c) || n.empty() {
			if n.kind == kindObject || n.kind == kindArray {
				// Not signed, but still has to be a valid body (no duplicate keys).
				if st.discard, err = st.appendValue(st.discard[:0], c); err != nil {
					return dst, err
				}
			}
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = st.appendKey(dst, c)
		if dst, err = st.appendValue(dst, c); err != nil {
			return dst, err
		}
	}
	st.stack = st.stack[:0]
	return append(dst, '}'), nil
}

// AppendCanonical appends the signContent of body to dst and returns the
// extended buffer: the top-level members of the JSON object body, without
// "sign" and without those whose value is null or "", sorted by key (byte
// order), written as compact JSON. Strings are re-encoded from their decoded
// value (raw UTF-8, '/' and <>& and U+2028/U+2029 unescaped, '"' and '\' and
// control characters escaped); numbers, true and false keep the text they
// were sent as. Nested objects are written the same way, keys sorted, with
// nothing dropped.
//
// On error, which wraps ErrInvalidBody and names the offending byte offset
// or key, dst is returned unchanged. dst must not overlap body.
func AppendCanonical(dst, body []byte) ([]byte, error) {
	st := getState()
	defer putState(st)
	if err := st.parse(body); err != nil {
		return dst, err
	}
	n := len(dst)
	out, err := st.appendCanonical(dst)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

// Canonical returns the signContent of body, the bytes whose MD5 is the sign.
// See AppendCanonical for the rule and the errors.
func Canonical(body []byte) ([]byte, error) {
	return AppendCanonical(nil, body)
}

// signHex computes the canonical form of the parsed body into st.tmp and
// writes its sign into out.
func (st *state) signHex(out *[32]byte) error {
	can, err := st.appendCanonical(st.tmp[:0])
	st.tmp = can
	if err != nil {
		return err
	}
	sum := md5.Sum(can)
	hex.Encode(out[:], sum[:])
	return nil
}

// Sign returns the sign of a JSON request body: the lowercase hex MD5 of its
// canonical form (see AppendCanonical). A "sign" member already in body is
// ignored. There is no secret key.
func Sign(body []byte) (string, error) {
	st := getState()
	defer putState(st)
	if err := st.parse(body); err != nil {
		return "", err
	}
	var h [32]byte
	if err := st.signHex(&h); err != nil {
		return "", err
	}
	return string(h[:]), nil
}

// Verify checks the "sign" member of a received JSON request body against
// its content, comparing in constant time. Pass the body exactly as
// received, before any decoding or validation that might rewrite it.
//
// It returns nil if the sign matches; an error wrapping ErrInvalidBody if the
// body cannot be canonicalized; ErrMissingSign if there is no sign (absent,
// null or ""); or an error wrapping ErrBadSign if the sign is not a string or
// does not match (the expected value is not revealed). Only the lowercase
// hex form matches.
func Verify(body []byte) error {
	st := getState()
	defer putState(st)
	if err := st.parse(body); err != nil {
		return err
	}
	var want [32]byte
	if err := st.signHex(&want); err != nil {
		return err
	}
	sign := -1
	for c := int(st.nodes[0].child); c >= 0; c = int(st.nodes[c].next) {
		if st.isSign(c) {
			sign = c
			break
		}
	}
	if sign < 0 || st.nodes[sign].empty() {
		return ErrMissingSign
	}
	n := &st.nodes[sign]
	if n.kind != kindString {
		return fmt.Errorf("%w: sign is not a JSON string", ErrBadSign)
	}
	got := st.src[n.off+1 : n.end-1]
	if n.esc {
		st.scratch = appendUnescaped(st.scratch[:0], got)
		got = st.scratch
	}
	if subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return fmt.Errorf("%w: the body's sign does not match its content (expected the lowercase hex MD5 of its canonical form)", ErrBadSign)
	}
	return nil
}
