package vshop

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// successEnvelope reports whether body is certainly a success envelope: one JSON object, valid as a
// whole, whose top-level operateCode is the string "S" and whose message, if any, is a string or
// null. It is checkReply's fast path for the common answer: it reads the body in one pass without
// allocating, where json.Unmarshal would cost several microseconds and ten allocations.
//
// It only ever says true where json.Unmarshal into an envelopeHead succeeds with OperateCode "S"
// (FuzzSuccessEnvelope checks that); false means "ask json.Unmarshal", not "not a success". So it is
// stricter than encoding/json wherever the two could differ: it gives up on invalid UTF-8 in a string
// (outside strings only ASCII is valid JSON anyway), on an escaped top-level key, on nesting deeper
// than maxEnvelopeDepth, on more than one top-level key that encoding/json might match to operateCode
// (it matches names case-insensitively) and on an operateCode written with escapes.
func successEnvelope(body []byte) bool {
	i := skipJSONSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	success := false
	for i = skipJSONSpace(body, i+1); ; {
		if i >= len(body) || body[i] != '"' {
			return false // no members (so no operateCode), or not a key
		}
		keyEnd, ok := skipJSONString(body, i)
		if !ok {
			return false
		}
		key := body[i+1 : keyEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false // an escaped key might decode to operateCode
		}
		if i = skipJSONSpace(body, keyEnd); i >= len(body) || body[i] != ':' {
			return false
		}
		start := skipJSONSpace(body, i+1)
		end, ok := skipJSONValue(body, start, 1)
		if !ok {
			return false
		}
		value := body[start:end]
		switch {
		case string(key) == "operateCode":
			if success || string(value) != `"S"` {
				return false
			}
			success = true
		case mayMatchName(key, "operatecode"):
			return false
		case mayMatchName(key, "message"):
			if value[0] != '"' && string(value) != "null" {
				return false // json.Unmarshal would fail to put it in a string
			}
		}
		i = skipJSONSpace(body, end)
		if i < len(body) && body[i] == ',' {
			i = skipJSONSpace(body, i+1)
			continue
		}
		if i < len(body) && body[i] == '}' {
			break
		}
		return false
	}
	return success && skipJSONSpace(body, i+1) == len(body)
}

// mayMatchName reports whether encoding/json might match the raw object key to the field name
// (lowercase ASCII): it compares case-insensitively and ignoring '-' and '_' (more generous than
// encoding/json, whose v1 and v2 implementations differ in the details), and assumes a match for any
// key with a non-ASCII byte, which could fold to ASCII.
func mayMatchName(key []byte, name string) bool {
	n := 0
	for _, c := range key {
		switch {
		case c >= utf8.RuneSelf:
			return true
		case c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n >= len(name) || name[n] != c {
			return false
		}
		n++
	}
	return n == len(name)
}

// maxEnvelopeDepth bounds the nesting successEnvelope follows; deeper answers go to json.Unmarshal.
const maxEnvelopeDepth = 1000

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipJSONValue validates the JSON value at b[i] (RFC 8259) and returns the index just past it.
func skipJSONValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		return skipJSONString(b, i)
	case c == '{' || c == '[':
		if depth >= maxEnvelopeDepth {
			return 0, false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipJSONSpace(b, i+1)
		if i < len(b) && b[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return 0, false
				}
				end, ok := skipJSONString(b, i)
				if !ok {
					return 0, false
				}
				if i = skipJSONSpace(b, end); i >= len(b) || b[i] != ':' {
					return 0, false
				}
				i = skipJSONSpace(b, i+1)
			}
			end, ok := skipJSONValue(b, i, depth+1)
			if !ok {
				return 0, false
			}
			i = skipJSONSpace(b, end)
			if i < len(b) && b[i] == ',' {
				i = skipJSONSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == closing {
				return i + 1, true
			}
			return 0, false
		}
	case c == 't':
		return skipJSONLiteral(b, i, "true")
	case c == 'f':
		return skipJSONLiteral(b, i, "false")
	case c == 'n':
		return skipJSONLiteral(b, i, "null")
	default:
		return skipJSONNumber(b, i)
	}
}

// skipJSONString validates the JSON string whose opening quote is b[i], UTF-8 included, and returns
// the index just past its closing quote.
func skipJSONString(b []byte, i int) (int, bool) {
	for i++; ; {
		// Eight bytes at a time while none is '"', '\\', a control character or non-ASCII.
		for i+8 <= len(b) {
			if m := notPlain(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(b) {
			return 0, false
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return 0, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, false
				}
				for _, h := range b[i+2 : i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return 0, false
					}
				}
				i += 6
			default:
				return 0, false
			}
		case c < 0x20:
			return 0, false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return 0, false
			}
			i += size
		default:
			i++
		}
	}
}

// notPlain flags (in the high bit of each byte, little endian) the bytes of w that end a run of plain
// string content: '"', '\\', control characters and non-ASCII bytes. Only the lowest flag is exact
// (borrows can set spurious flags above it), which is all skipJSONString uses.
func notPlain(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ('"' * ones)
	e := w ^ ('\\' * ones)
	return ((q-ones)&^q | (e-ones)&^e | (w-0x20*ones)&^w | w) & highs
}

func skipJSONLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return 0, false
}

// skipJSONNumber validates the JSON number at b[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipJSONNumber(b []byte, i int) (int, bool) {
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	return i, true
}
