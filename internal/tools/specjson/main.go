// Command specjson converts the hand-written spec, openapi/vshop.yaml, into openapi/vshop.json: the same
// document as JSON, for tools that do not read YAML.
//
// The output is deterministic and diff-friendly: object keys keep the order they have in the YAML,
// two-space indentation, a final newline, and <, > and & are not escaped. `make spec` runs it and
// `make spec-check` fails when the checked-in JSON differs from what the YAML produces.
//
// Usage:
//
//	go run ./internal/tools/specjson [-o openapi/vshop.json] openapi/vshop.yaml
//
// Without -o the JSON is written to standard output.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

func main() {
	out := flag.String("o", "", "write the JSON to this file instead of standard output")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: specjson [-o out.json] spec.yaml")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	src, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	js, err := Convert(src)
	if err != nil {
		fail(fmt.Errorf("%s: %w", flag.Arg(0), err))
	}
	if *out == "" {
		_, err = os.Stdout.Write(js)
	} else {
		err = os.WriteFile(*out, js, 0o644)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "specjson:", err)
	os.Exit(1)
}

// Convert returns the single YAML document src as indented JSON with a final newline, keeping the
// order of mapping keys. It fails on what JSON cannot represent: more than one document, a key that
// is not a string, a merge key (<<), or a YAML-only value such as a timestamp or .inf.
func Convert(src []byte) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("want exactly one YAML document")
	}
	var compact bytes.Buffer
	if err := writeNode(&compact, &doc); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// writeNode writes n as compact JSON.
func writeNode(w *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return errors.New("empty YAML document")
		}
		return writeNode(w, n.Content[0])
	case yaml.AliasNode:
		return writeNode(w, n.Alias)
	case yaml.MappingNode:
		w.WriteByte('{')
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				return fmt.Errorf("line %d: only plain string keys are supported (no merge keys or complex keys)", k.Line)
			}
			if seen[k.Value] {
				return fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeJSON(w, k.Value); err != nil {
				return err
			}
			w.WriteByte(':')
			if err := writeNode(w, v); err != nil {
				return err
			}
		}
		w.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		w.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeNode(w, c); err != nil {
				return err
			}
		}
		w.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return writeJSON(w, n.Value)
		case "!!null":
			w.WriteString("null")
			return nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			if err := writeJSON(w, v); err != nil {
				return fmt.Errorf("line %d: %q cannot be written as JSON: %w", n.Line, n.Value, err)
			}
			return nil
		default:
			return fmt.Errorf("line %d: YAML tag %s has no JSON equivalent; quote the value", n.Line, n.ShortTag())
		}
	}
	return fmt.Errorf("line %d: unsupported YAML node kind %v", n.Line, n.Kind)
}

// writeJSON writes v as JSON without escaping <, > and &.
func writeJSON(w *bytes.Buffer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return nil
}
