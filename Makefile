# vshop-go tasks. Only Go is needed; every tool is pinned in go.mod (tools.go) and run with `go run`.
GO ?= go

.PHONY: all demo test generate check bench

all: check test

## demo: run the whole purchase flow against the in-process sandbox
demo:
	$(GO) run ./cmd/vshop demo

## test: every test, with the race detector
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## generate: regenerate generated/ from openapi/vshop.yaml
generate:
	$(GO) generate ./generated

## check: fail when generated/ is not what the spec produces (run `make generate` and commit)
check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && root=$$(pwd) && \
	$(GO) build -o "$$tmp/oapi-codegen" github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen && \
	cp go.mod "$$tmp/" && (cd "$$tmp" && ./oapi-codegen -config "$$root/generated/config.yaml" "$$root/openapi/vshop.yaml") && \
	if ! diff -u generated/vshop.gen.go "$$tmp/vshop.gen.go" > "$$tmp/diff"; then \
		head -40 "$$tmp/diff"; \
		echo "generated/ is out of date with openapi/vshop.yaml: run 'make generate' and commit the result" >&2; \
		exit 1; \
	fi; echo "generated/ matches openapi/vshop.yaml"
