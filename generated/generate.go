// Package generated holds the code oapi-codegen generates from openapi/vshop.yaml: the models, the
// client (ClientWithResponses), the strict server interface used by the sandbox, and the embedded spec
// (GetSwagger). Everything but this file and config.yaml is generated: change the spec, then run
// `make generate`.
//
// Most callers should not build a client from this package directly: vshop.NewClient returns one with
// the request signer, timeouts and error handling installed.
package generated

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config config.yaml ../openapi/vshop.yaml
//go:generate go run ../internal/tools/genclient -spec ../openapi/vshop.yaml -out ../operations.gen.go -names names.gen.go
