//go:build tools

// Package lint pins the OpenAPI linters run by `make lint-report` that are Go programs (vacuum), in a
// module of their own so that their dependencies stay out of the vshop module's go.mod. Run one with
// `cd internal/tools/lint && go run github.com/daveshanley/vacuum ...` (the version is in go.mod).
package lint

import _ "github.com/daveshanley/vacuum"
