package vshop

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// envelope is the top level of a Vshop answer, {"operateCode": ..., "message": ..., "data": ...},
// as scanEnvelope found it.
type envelope struct {
	hasCode bool
	code    string // operateCode
	message string
	data    []byte // the raw data value; nil when absent
}

// scanEnvelope reads the top level of an answer in one pass, strictly: the body must be one valid
// JSON object (RFC 8259, UTF-8 included); its operateCode, if any, a string; its message a string or
// null. An answer that could be read two ways is an error, never a guess: a top-level key given twice
// (encoding/json would keep the last), or a key that differs from operateCode, message or data only
// in case (encoding/json would match it). Values inside data are not interpreted here.
func scanEnvelope(body []byte) (envelope, error) {
	var env envelope
	i := skipJSONSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return env, errors.New("the body is not a JSON object")
	}
	var keys [16]string
	seen := keys[:0]
	i = skipJSONSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return env, fmt.Errorf("invalid JSON at byte %d: want a key", i)
			}
			keyEnd, ok := skipJSONString(body, i)
			if !ok {
				return env, fmt.Errorf("invalid JSON string at byte %d", i)
			}
			key, err := jsonString(body[i:keyEnd])
			if err != nil {
				return env, err
			}
			if i = skipJSONSpace(body, keyEnd); i >= len(body) || body[i] != ':' {
				return env, fmt.Errorf("invalid JSON at byte %d: want ':'", i)
			}
			start := skipJSONSpace(body, i+1)
			end, ok := skipJSONValue(body, start, 1)
			if !ok {
				return env, fmt.Errorf("invalid or truncated JSON value at byte %d (or one nested deeper than %d levels)", start, maxEnvelopeDepth)
			}
			if slices.Contains(seen, key) {
				return env, fmt.Errorf("the key %q appears twice at the top level: the answer is ambiguous", key)
			}
			seen = append(seen, key)
			value := body[start:end]
			for _, name := range [...]string{"operateCode", "message", "data"} {
				if key != name && strings.EqualFold(key, name) {
					return env, fmt.Errorf("the key %q differs from %q only in case: the answer is ambiguous", key, name)
				}
			}
			switch key {
			case "operateCode":
				if value[0] != '"' {
					return env, fmt.Errorf("operateCode is %s, not a JSON string", clipValue(value))
				}
				if env.code, err = jsonString(value); err != nil {
					return env, err
				}
				env.hasCode = true
			case "message":
				if string(value) != "null" {
					if value[0] != '"' {
						return env, fmt.Errorf("message is %s, not a JSON string", clipValue(value))
					}
					if env.message, err = jsonString(value); err != nil {
						return env, err
					}
				}
			case "data":
				env.data = value
			}
			i = skipJSONSpace(body, end)
			if i < len(body) && body[i] == ',' {
				i = skipJSONSpace(body, i+1)
				continue
			}
			if i < len(body) && body[i] == '}' {
				i++
				break
			}
			return env, fmt.Errorf("invalid JSON at byte %d: want ',' or '}'", i)
		}
	}
	if skipJSONSpace(body, i) != len(body) {
		return env, fmt.Errorf("data after the JSON object at byte %d", i)
	}
	return env, nil
}

// jsonString decodes a JSON string that skipJSONString accepted.
func jsonString(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

// clipValue shows the start of a JSON value in an error.
func clipValue(v []byte) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}

// maxEnvelopeDepth bounds the nesting scanEnvelope follows; a deeper answer is refused.
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
