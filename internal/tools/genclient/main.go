// Command genclient writes the typed front door of package vshop from openapi/vshop.yaml: the
// operation table (path, operationId, tradeType, retry class, request rules), one request type and
// one method of vshop.Client per operation, aliases of the result and enum types, and the Name
// methods of the enums (in package generated, beside oapi-codegen's output). `make generate` runs it
// after oapi-codegen (see generated/generate.go); `make check` fails when its output is stale.
//
// Why a generator of our own rather than oapi-codegen's user templates: the templates run inside
// oapi-codegen's output package (generated) and see its internal model, while the front door lives in
// package vshop next to the hand-written doer, and needs facts oapi-codegen does not model (the
// x-trade-type and x-retry extensions, the request rules compiled by internal/specvalidate). Reading
// the spec with kin-openapi, the library oapi-codegen itself uses, keeps this program small and its
// output plain Go that a reader can check against the spec.
//
// Usage:
//
//	go run ./internal/tools/genclient -spec openapi/vshop.yaml -out operations.gen.go -names generated/names.gen.go
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vshop-go/vshop/internal/specvalidate"
)

func main() {
	spec := flag.String("spec", "openapi/vshop.yaml", "the OpenAPI document")
	out := flag.String("out", "operations.gen.go", "the file to write for package vshop")
	names := flag.String("names", "generated/names.gen.go", "the file to write for package generated")
	flag.Parse()
	if err := run(*spec, *out, *names); err != nil {
		fmt.Fprintln(os.Stderr, "genclient:", err)
		os.Exit(1)
	}
}

func run(specPath, outPath, namesPath string) error {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	front, enums, err := generate(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}
	if err := os.WriteFile(outPath, front, 0o644); err != nil {
		return err
	}
	return os.WriteFile(namesPath, enums, 0o644)
}

// globals are the request fields the client fills itself; request types leave them out.
var globals = map[string]bool{"partnerCode": true, "version": true, "tradeType": true, "tradeTime": true, "sign": true}

// defaults are the request fields that take a client-wide default when a request leaves them
// empty, with the Client method that supplies it.
var defaults = map[string]string{"languageCode": "languageOr", "mark": "markOr", "terminal": "terminalOr"}

// op is what the generator knows of one operation.
type op struct {
	ID, Path, TradeType, Summary string
	Retry                        string // Go expression of the RetryClass
	Method                       string // Go name, e.g. ListAutoRenewals
	Fields                       []field
	Rules                        specvalidate.BodyRules
	DataType                     string // Go type of data in package vshop, e.g. []AutoRenewalRecord
	DataKind                     string // "slice", "map" or "struct"
}

type field struct {
	JSON, Go, Type, Doc string
	Required            bool
	Default             string // Client method, or ""
}

type enum struct {
	Type     string
	Consts   []string
	Values   []string
	Names    []string
	Describe string
}

func generate(raw []byte) (front, names []byte, err error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, nil, err
	}
	ops, err := operations(doc, raw)
	if err != nil {
		return nil, nil, err
	}
	enums, err := enumsOf(doc)
	if err != nil {
		return nil, nil, err
	}
	aliases := aliasesOf(doc)
	var b bytes.Buffer
	writeFront(&b, ops, enums, aliases)
	front, err = format.Source(b.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("formatting the front door: %w\n%s", err, b.Bytes())
	}
	b.Reset()
	writeNames(&b, enums)
	names, err = format.Source(b.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("formatting the enum names: %w", err)
	}
	return front, names, nil
}

func operations(doc *openapi3.T, raw []byte) ([]op, error) {
	var ops []op
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			if method != "POST" {
				return nil, fmt.Errorf("%s %s: every Vshop operation is a POST", method, path)
			}
			x, err := operation(path, o)
			if err != nil {
				return nil, fmt.Errorf("operation %s (%s): %w", o.OperationID, path, err)
			}
			ops = append(ops, x)
		}
	}
	// The spec's order (the flow's order), found in the document's text.
	at := func(path string) int { return bytes.Index(raw, []byte("\n  "+path+":")) }
	sort.Slice(ops, func(i, j int) bool { return at(ops[i].Path) < at(ops[j].Path) })
	return ops, nil
}

func operation(path string, o *openapi3.Operation) (op, error) {
	x := op{ID: o.OperationID, Path: path, Summary: o.Summary}
	if x.ID == "" {
		return x, errors.New("no operationId")
	}
	x.Method = exported(x.ID)
	tt, _ := o.Extensions["x-trade-type"].(string)
	if tt == "" {
		return x, errors.New("no x-trade-type")
	}
	x.TradeType = tt
	var err error
	if x.Retry, err = retryClass(o.Extensions["x-retry"]); err != nil {
		return x, err
	}
	if o.RequestBody == nil || o.RequestBody.Value == nil || o.RequestBody.Value.Content.Get("application/json") == nil {
		return x, errors.New("no application/json request body")
	}
	body := o.RequestBody.Value.Content.Get("application/json").Schema
	if x.Rules, err = specvalidate.CompileBody(body.Value); err != nil {
		return x, fmt.Errorf("request body: %w", err)
	}
	for _, r := range x.Rules {
		if globals[r.Name] {
			continue
		}
		prop := body.Value.Properties[r.Name]
		f := field{JSON: r.Name, Go: exported(r.Name), Type: "string", Required: r.Required, Default: defaults[r.Name]}
		if t := enumType(prop); t != "" {
			f.Type = t
		}
		f.Doc = firstSentence(prop.Value.Description)
		x.Fields = append(x.Fields, f)
	}
	if x.DataType, x.DataKind, err = dataType(o); err != nil {
		return x, err
	}
	return x, nil
}

// retryClass turns x-retry (always, never, or a list of field names) into a RetryClass literal.
func retryClass(v any) (string, error) {
	switch v := v.(type) {
	case string:
		switch v {
		case "always":
			return "RetryClass{Always: true}", nil
		case "never":
			return "RetryClass{}", nil
		}
	case []any:
		var names []string
		for _, n := range v {
			s, ok := n.(string)
			if !ok || s == "" {
				return "", fmt.Errorf("x-retry: %v is not a field name", n)
			}
			names = append(names, strconv.Quote(s))
		}
		if len(names) > 0 {
			return "RetryClass{IfSet: []string{" + strings.Join(names, ", ") + "}}", nil
		}
	}
	return "", fmt.Errorf("x-retry is %#v: want always, never or a list of field names", v)
}

// enumType is the Go type of a string property with an enum: its schema's name (a $ref), or its
// x-go-type.
func enumType(prop *openapi3.SchemaRef) string {
	if t, ok := prop.Value.Extensions["x-go-type"].(string); ok {
		return t
	}
	if prop.Ref != "" && len(prop.Value.Enum) > 0 {
		return refName(prop.Ref)
	}
	return ""
}

// dataType is the Go type of the data member of the operation's 200 reply.
func dataType(o *openapi3.Operation) (typ, kind string, err error) {
	resp := o.Responses.Status(200)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
		return "", "", errors.New("no application/json 200 response")
	}
	env := resp.Value.Content.Get("application/json").Schema
	data := env.Value.Properties["data"]
	if data == nil {
		return "", "", errors.New("the 200 reply has no data property")
	}
	switch {
	case data.Ref != "":
		name := refName(data.Ref)
		if len(data.Value.Properties) == 0 {
			return name, "map", nil // oapi-codegen makes an object without properties a map
		}
		return name, "struct", nil
	case data.Value.Type.Is("array") && data.Value.Items != nil && data.Value.Items.Ref != "":
		return "[]" + refName(data.Value.Items.Ref), "slice", nil
	}
	return "", "", errors.New("the 200 reply's data is neither a named schema nor an array of one: give it a name under components/schemas")
}

// aliasesOf lists the component schemas a caller of package vshop meets: the types of the replies'
// data, what they contain, and the enums.
func aliasesOf(doc *openapi3.T) []string {
	seen := map[string]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil {
			return
		}
		if ref.Ref != "" {
			name := refName(ref.Ref)
			if seen[name] {
				return
			}
			seen[name] = true
		}
		for _, p := range ref.Value.Properties {
			visit(p)
		}
		visit(ref.Value.Items)
	}
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			if r := o.Responses.Status(200); r != nil && r.Value != nil {
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					visit(mt.Schema.Value.Properties["data"])
				}
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		if len(s.Value.Enum) > 0 {
			seen[name] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func enumsOf(doc *openapi3.T) ([]enum, error) {
	var out []enum
	for name, s := range doc.Components.Schemas {
		if len(s.Value.Enum) == 0 {
			continue
		}
		e := enum{Type: name, Describe: firstSentence(s.Value.Description)}
		vars, _ := s.Value.Extensions["x-enum-varnames"].([]any)
		descs, _ := s.Value.Extensions["x-enum-descriptions"].([]any)
		if len(vars) != len(s.Value.Enum) {
			return nil, fmt.Errorf("schema %s: x-enum-varnames must name each of its %d enum values", name, len(s.Value.Enum))
		}
		if descs != nil && len(descs) != len(s.Value.Enum) {
			return nil, fmt.Errorf("schema %s: x-enum-descriptions must describe each of its %d enum values", name, len(s.Value.Enum))
		}
		for i, v := range s.Value.Enum {
			val, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("schema %s: enum value %v is not a string (quote it in the YAML)", name, v)
			}
			c, _ := vars[i].(string)
			e.Values = append(e.Values, val)
			e.Consts = append(e.Consts, c)
			n := words(c, name)
			if descs != nil {
				n, _ = descs[i].(string)
			}
			e.Names = append(e.Names, n)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out, nil
}

// words turns an enum constant into a human name: MarkLinksfieldCard of Mark gives "Linksfield card".
func words(constant, typ string) string {
	rest := constant
	for _, prefix := range []string{typ, strings.TrimSuffix(typ, "Code")} {
		if strings.HasPrefix(rest, prefix) && len(rest) > len(prefix) {
			rest = rest[len(prefix):]
			break
		}
	}
	var b strings.Builder
	runes := []rune(rest)
	for i, r := range runes {
		// A capital starts a word unless it continues an acronym (PC stays PC).
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(runes[i-1]) {
			b.WriteByte(' ')
			if i+1 >= len(runes) || !unicode.IsUpper(runes[i+1]) {
				r = unicode.ToLower(r)
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

// exported is oapi-codegen's Go name of a lowerCamel JSON name: the first letter in upper case
// (deviceCode -> DeviceCode, payId -> PayId, url -> Url), so request fields read like the models'.
func exported(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// firstSentence is the first sentence of a description, on one line.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

func writeFront(b *bytes.Buffer, ops []op, enums []enum, aliases []string) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("// Code generated by internal/tools/genclient from openapi/vshop.yaml; DO NOT EDIT.\n\n")
	p("package vshop\n\n")
	p("import (\n\t\"context\"\n\t\"regexp\"\n\n\t\"github.com/vshop-go/vshop/generated\"\n\t\"github.com/vshop-go/vshop/internal/specvalidate\"\n\t\"github.com/vshop-go/vshop/signing\"\n)\n\n")

	p("// Operation ids of the spec, as [RetrySafe], [APIError] and [Operation] name them.\nconst (\n")
	for _, o := range ops {
		p("\t// Op%s is %s (POST %s).\n\tOp%s = %q\n", o.Method, o.ID, o.Path, o.Method, o.ID)
	}
	p(")\n\n")

	p("// Indices into operationTable.\nconst (\n")
	for i, o := range ops {
		if i == 0 {
			p("\top%s = iota\n", o.Method)
		} else {
			p("\top%s\n", o.Method)
		}
	}
	p(")\n\n")

	patterns := map[string]string{}
	var patternList []string
	for _, o := range ops {
		for _, r := range o.Rules {
			if r.Pattern != nil && patterns[r.Pattern.String()] == "" {
				name := fmt.Sprintf("pattern%d", len(patternList))
				patterns[r.Pattern.String()] = name
				patternList = append(patternList, r.Pattern.String())
			}
		}
	}
	p("// The request patterns of the spec, compiled once.\nvar (\n")
	for i, pat := range patternList {
		p("\tpattern%d = regexp.MustCompile(%q)\n", i, pat)
	}
	p(")\n\n")

	p("// operationTable holds every operation of the spec, in the spec's order.\nvar operationTable = [...]Operation{\n")
	for i, o := range ops {
		p("\t{\n\t\tID: %q, Path: %q, TradeType: %q, Summary: %q,\n\t\tRetry: %s, idx: %d,\n\t\trules: specvalidate.BodyRules{\n", o.ID, o.Path, o.TradeType, o.Summary, o.Retry, i)
		for _, r := range o.Rules {
			if r.Name == "sign" {
				continue // computed after validation, always 32 lowercase hex digits (tested in package signing)
			}
			p("\t\t\t{Name: %q, Required: %t, MinLength: %d, MaxLength: %d", r.Name, r.Required, r.MinLength, r.MaxLength)
			if r.Pattern != nil {
				p(", Pattern: %s", patterns[r.Pattern.String()])
			}
			if r.Enum != nil {
				q := make([]string, len(r.Enum))
				for i, e := range r.Enum {
					q[i] = strconv.Quote(e)
				}
				p(", Enum: []string{%s}", strings.Join(q, ", "))
			}
			p("},\n")
		}
		p("\t\t},\n\t},\n")
	}
	p("}\n\n")

	p("// Types of the spec's replies and enums, from package generated.\ntype (\n")
	for _, a := range aliases {
		p("\t%s = generated.%s\n", a, a)
	}
	p(")\n\n")
	for _, e := range enums {
		p("// Values of %s.\nconst (\n", e.Type)
		for i, c := range e.Consts {
			p("\t%s = generated.%s // %q: %s\n", c, c, e.Values[i], e.Names[i])
		}
		p(")\n\n")
	}

	for _, o := range ops {
		p("// %sRequest is the body of %s (POST %s) without the fields the client fills\n", o.Method, o.ID, o.Path)
		p("// (partnerCode, version, tradeType, tradeTime, sign). An empty string leaves a field out")
		if anyDefault(o.Fields) {
			p(";\n// an empty LanguageCode, Mark or Terminal takes the client's default (WithLanguage, WithMark,\n// WithTerminal)")
		}
		p(".\ntype %sRequest struct {\n", o.Method)
		for i, f := range o.Fields {
			if i > 0 {
				p("\n")
			}
			req := "Optional."
			if f.Required {
				req = "Required."
			}
			if f.Default != "" {
				req = "Required; empty means the client's default."
			}
			p("\t// %s %s %s\n\t%s %s `json:\"%s,omitempty\"`\n", f.Go, f.Doc, req, f.Go, f.Type, f.JSON)
		}
		p("}\n\n")

		p("func (r *%sRequest) fields(c *Client, dst []signing.Field) []signing.Field {\n\treturn append(dst,\n", o.Method)
		for _, f := range o.Fields {
			v := "r." + f.Go
			if f.Default != "" {
				v = fmt.Sprintf("c.%s(%s)", f.Default, v)
			} else if f.Type != "string" {
				v = "string(" + v + ")"
			}
			p("\t\tsigning.Field{Name: %q, Value: %s},\n", f.JSON, v)
		}
		p("\t)\n}\n\n")

		ret := o.DataType
		if o.DataKind == "struct" {
			ret = "*" + o.DataType
		}
		p("// %s calls %s (POST %s, tradeType %s): %s.\n//\n", o.Method, o.ID, o.Path, o.TradeType, strings.TrimSuffix(o.Summary, "."))
		p("// It signs and validates the request, sends it with the client's retry policy, and returns the\n")
		p("// reply's data, or an error (see [APIError], [DecodeError], [ValidationError]).\n")
		p("func (c *Client) %s(ctx context.Context, req %sRequest) (%s, error) {\n", o.Method, o.Method, ret)
		p("\tvar data %s\n", o.DataType)
		p("\tvar buf [%d]signing.Field // the request's fields, and the 4 the client fills\n", len(o.Fields)+4)
		p("\tif err := c.call(ctx, &operationTable[op%s], req.fields(c, buf[:0]), &data); err != nil {\n", o.Method)
		switch o.DataKind {
		case "struct":
			p("\t\treturn nil, err\n\t}\n\treturn &data, nil\n}\n\n")
		default:
			p("\t\treturn nil, err\n\t}\n\treturn data, nil\n}\n\n")
		}
	}
}

func anyDefault(fs []field) bool {
	for _, f := range fs {
		if f.Default != "" {
			return true
		}
	}
	return false
}

func writeNames(b *bytes.Buffer, enums []enum) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("// Code generated by internal/tools/genclient from openapi/vshop.yaml; DO NOT EDIT.\n\n")
	p("package generated\n\n")
	for _, e := range enums {
		p("// Name returns the human name of a %s code, as the spec describes it, or \"\" for a code the\n// spec does not list.\n", e.Type)
		p("func (e %s) Name() string {\n\tswitch e {\n", e.Type)
		for i, c := range e.Consts {
			p("\tcase %s:\n\t\treturn %q\n", c, e.Names[i])
		}
		p("\t}\n\treturn \"\"\n}\n\n")
	}
}
