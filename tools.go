//go:build tools

// This file pins the code generator's version in go.mod. It is never built:
// `go generate ./generated` runs the pinned generator with `go run`.
package vshop

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
