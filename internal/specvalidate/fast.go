package specvalidate

import (
	"encoding/json"
	"regexp"
	"regexp/syntax"
	"sort"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// A fastRule is one operation's request-body schema reduced to what Vshop bodies use: an object whose
// properties are strings with minLength, maxLength, pattern or enum. It only ever says "valid" for a
// body kin-openapi also accepts; anything it cannot decide goes to kin-openapi, which stays the
// authority for every rejection and its message.
type fastRule struct {
	required []string
	props    map[string]fastString
}

type fastString struct {
	minLength int
	maxLength int // -1: no limit
	pattern   *regexp.Regexp
	class     *classRun // the pattern, when it is one that classRun can check; pattern is then nil
	enum      map[string]bool
}

// classRun is a pattern that is one ASCII character class repeated over the whole string, such as
// ^[0-9]+$ or ^[0-9a-f]{32}$ (most of the spec's patterns): it is checked byte by byte, several
// times faster than the regexp, with the same verdict.
type classRun struct {
	in       [utf8.RuneSelf]bool
	min, max int // max -1: no limit
}

// compileClassRun returns the classRun for pattern, or nil if pattern is not of the form
// ^[class]+$, ^[class]*$, ^[class]{n}$, ^[class]{n,}$ or ^[class]{n,m}$ with only ASCII in the class.
func compileClassRun(pattern string) *classRun {
	re, err := syntax.Parse(pattern, syntax.Perl) // as regexp.Compile parses it
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) != 3 ||
		re.Sub[0].Op != syntax.OpBeginText || re.Sub[2].Op != syntax.OpEndText {
		return nil
	}
	rep := re.Sub[1]
	c := &classRun{}
	switch rep.Op {
	case syntax.OpPlus:
		c.min, c.max = 1, -1
	case syntax.OpStar:
		c.min, c.max = 0, -1
	case syntax.OpRepeat:
		c.min, c.max = rep.Min, rep.Max
	default:
		return nil
	}
	if len(rep.Sub) != 1 || rep.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	ranges := rep.Sub[0].Rune
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i+1] >= utf8.RuneSelf {
			return nil
		}
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			c.in[r] = true
		}
	}
	return c
}

// match reports whether s is a run of the class's characters of an allowed length. (A non-ASCII
// byte is never in the class, so the length in bytes is the length in characters.)
func (c *classRun) match(s []byte) bool {
	if len(s) < c.min || (c.max >= 0 && len(s) > c.max) {
		return false
	}
	for _, b := range s {
		if b >= utf8.RuneSelf || !c.in[b] {
			return false
		}
	}
	return true
}

// fastRules compiles a fastRule for each operation whose body schema it fully understands, keyed by
// spec path and sorted longest path first for suffix matching.
func fastRules(doc *openapi3.T) (paths []string, rules map[string]*fastRule) {
	rules = map[string]*fastRule{}
	for path, item := range doc.Paths.Map() {
		if item.Post == nil || len(item.Operations()) != 1 || len(item.Post.Parameters) != 0 || len(item.Parameters) != 0 ||
			item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
			continue
		}
		mt := item.Post.RequestBody.Value.Content.Get("application/json")
		if mt == nil || len(item.Post.RequestBody.Value.Content) != 1 || mt.Schema == nil {
			continue
		}
		if r, ok := compileObject(mt.Schema.Value); ok {
			rules[path] = r
			paths = append(paths, path)
		}
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	return paths, rules
}

func compileObject(s *openapi3.Schema) (*fastRule, bool) {
	if s == nil || !s.Type.Is("object") || s.Nullable || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) != 0 || s.Not != nil ||
		s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil || s.MinProps != 0 || s.MaxProps != nil ||
		len(s.Enum) != 0 || s.Discriminator != nil {
		return nil, false
	}
	r := &fastRule{required: s.Required, props: map[string]fastString{}}
	for name, ref := range s.Properties {
		p, ok := compileString(ref.Value)
		if !ok {
			return nil, false
		}
		r.props[name] = p
	}
	for _, name := range s.Required {
		if _, ok := r.props[name]; !ok {
			return nil, false
		}
	}
	return r, true
}

func compileString(s *openapi3.Schema) (fastString, bool) {
	// A nullable string is compiled too: valid gives up on every value that is not a string, null
	// included, so null members still go to kin-openapi.
	if s == nil || !s.Type.Is("string") || s.Format != "" || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) != 0 ||
		s.Not != nil || s.ReadOnly || s.WriteOnly {
		return fastString{}, false
	}
	f := fastString{minLength: int(s.MinLength), maxLength: -1}
	if s.MaxLength != nil {
		f.maxLength = int(*s.MaxLength)
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return fastString{}, false
		}
		if f.class = compileClassRun(s.Pattern); f.class == nil {
			f.pattern = re
		}
	}
	if len(s.Enum) != 0 {
		f.enum = map[string]bool{}
		for _, e := range s.Enum {
			v, ok := e.(string)
			if !ok {
				return fastString{}, false
			}
			f.enum[v] = true
		}
	}
	return f, true
}

// valid reports whether body certainly satisfies the rule. false means "ask kin-openapi", not
// "invalid". It reads the flat object in one pass and gives up on anything but string values.
func (r *fastRule) valid(body []byte) bool {
	var seen [64]bool
	if len(r.required) > len(seen) {
		return false
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			key, next, ok := scanString(body, i)
			if !ok {
				return false
			}
			i = skipSpace(body, next)
			if i >= len(body) || body[i] != ':' {
				return false
			}
			val, next, ok := scanString(body, skipSpace(body, i+1))
			if !ok {
				return false // not a string (or not one this path decides)
			}
			if p, known := r.props[string(key)]; known && !p.accepts(val) {
				return false
			}
			for k, name := range r.required {
				if name == string(key) {
					seen[k] = true
				}
			}
			i = skipSpace(body, next)
			if i < len(body) && body[i] == ',' {
				i = skipSpace(body, i+1)
				continue
			}
			if i < len(body) && body[i] == '}' {
				i++
				break
			}
			return false
		}
	}
	if skipSpace(body, i) != len(body) {
		return false
	}
	for k := range r.required {
		if !seen[k] {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString reads the JSON string starting at b[i] and returns its value and the index after it.
// The value of a string without escapes is a slice of b (no copy); one with escapes is decoded by
// encoding/json. Invalid UTF-8 or raw control characters give false.
func scanString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return nil, i, false
		case c == '"':
			raw := b[i : j+1]
			if !utf8.Valid(raw) {
				return nil, i, false
			}
			if !escaped {
				return raw[1 : len(raw)-1], j + 1, true
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, i, false
			}
			return []byte(s), j + 1, true
		}
	}
	return nil, i, false
}

func (p fastString) accepts(s []byte) bool {
	if p.minLength > 0 || p.maxLength >= 0 {
		n := utf8.RuneCount(s)
		if n < p.minLength || (p.maxLength >= 0 && n > p.maxLength) {
			return false
		}
	}
	if p.enum != nil && !p.enum[string(s)] {
		return false
	}
	if p.class != nil {
		return p.class.match(s)
	}
	return p.pattern == nil || p.pattern.Match(s)
}
