// Package generated holds the code oapi-codegen generates from openapi/vshop.yaml: the models, the
// client (ClientWithResponses), the strict server interface used by the sandbox, and the embedded spec
// (GetSwagger), and the Name methods of the enums (names.gen.go, written by internal/tools/genclient).
// Everything but this file and config.yaml is generated: change the spec, then run `make generate`,
// which also writes the typed vshop.Client (operations.gen.go at the module root).
//
// Most callers should not use this package's client: vshop.NewClient's typed methods sign, validate,
// retry and decode. Its types are also reachable as aliases in package vshop.
package generated

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config config.yaml ../openapi/vshop.yaml
//go:generate go run ../internal/tools/genclient -spec ../openapi/vshop.yaml -out ../operations.gen.go -names names.gen.go
