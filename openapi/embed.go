// Package openapi embeds the hand-written Vshop spec, openapi/vshop.yaml, byte for byte, so that
// programs (the CLI's `vshop spec`) can print exactly what this repository publishes.
package openapi

import _ "embed"

// YAML is openapi/vshop.yaml as written.
//
//go:embed vshop.yaml
var YAML []byte

// JSON is openapi/vshop.json: the same document as YAML, converted by `make spec` (key order kept;
// `make spec-check` fails in CI when the two differ).
//
//go:embed vshop.json
var JSON []byte
