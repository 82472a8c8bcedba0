# vshop-go tasks. Only Go is needed; every tool is pinned in go.mod (tools.go) and run with `go run`.
# The spec-publishing targets (spec, spec-check, lint, docs, vectors, breaking) also use Node.js and
# python3; their Node tools are pinned in package-lock.json and installed here with `npm ci`.
GO ?= go
NPM ?= npm
NODE ?= node
PYTHON ?= python3

.PHONY: all demo test test-jsonv2 generate check bench

all: check test

## demo: run the whole purchase flow against the in-process sandbox
demo:
	$(GO) run ./cmd/vshop demo

## test: every test, with the race detector
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## test-jsonv2: the signing tests again with encoding/json's v2 implementation (GOEXPERIMENT=jsonv2),
## whose escaping differs from v1's (the signer must not depend on either), and the client's reading
## of answers (scanEnvelope against its encoding/json reference, decodeReply's typed data and field
## names), which must not depend on either
test-jsonv2:
	GOEXPERIMENT=jsonv2 $(GO) test -count=1 ./signing/...
	GOEXPERIMENT=jsonv2 $(GO) test -count=1 -run 'ScanEnvelope|ReferenceEnvelope|DecodeReply|ReplyErrors' .

# benchstat has no tagged release: this is a pinned pseudo-version of golang.org/x/perf.
BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

## bench: the loopback round trip (floor, unsigned, signed, default) and the signer's benchmarks,
## -count 5 (under a minute); raw results in bench.txt, then benchstat's summary. See BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench 'RoundTrip|InMemory|NewClient|Sign$$|Editor$$|AppendSigned' -benchmem -count 5 . ./signing | tee bench.txt
	@! grep -q -e '^FAIL' -e '^--- FAIL' bench.txt || { echo "bench: a benchmark failed (see bench.txt)" >&2; exit 1; }
	$(GO) run $(BENCHSTAT) bench.txt

## generate: regenerate generated/ from openapi/vshop.yaml
generate:
	$(GO) generate ./generated

## check: fail when anything generated is not what the spec produces (run `make generate` and commit):
## generated/vshop.gen.go (oapi-codegen), operations.gen.go and generated/names.gen.go (internal/tools/genclient)
check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && root=$$(pwd) && \
	$(GO) build -o "$$tmp/oapi-codegen" github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen && \
	cp go.mod "$$tmp/" && (cd "$$tmp" && ./oapi-codegen -config "$$root/generated/config.yaml" "$$root/openapi/vshop.yaml") && \
	$(GO) run ./internal/tools/genclient -spec openapi/vshop.yaml -out "$$tmp/operations.gen.go" -names "$$tmp/names.gen.go" && \
	stale=0; for f in generated/vshop.gen.go:vshop.gen.go operations.gen.go:operations.gen.go generated/names.gen.go:names.gen.go; do \
		if ! diff -u "$${f%%:*}" "$$tmp/$${f##*:}" > "$$tmp/diff"; then head -40 "$$tmp/diff"; stale=1; fi; \
	done; \
	if [ $$stale = 1 ]; then \
		echo "generated code is out of date with openapi/vshop.yaml: run 'make generate' and commit the result" >&2; \
		exit 1; \
	fi; echo "generated/ and operations.gen.go match openapi/vshop.yaml"

# ---- Publishing the spec to other languages (issue 6) ----------------------------------------------

.PHONY: spec spec-json spec-check lint docs vectors breaking

REDOCLY := node_modules/.bin/redocly
NPM_STAMP := node_modules/.vshop-npm-ci
DOCS_DIR := docs/api
# oasdiff is run with `go run module@version` (not pinned in go.mod: it is not part of the build).
OASDIFF := github.com/oasdiff/oasdiff@v1.37.0
# Redocly CLI reports usage to redocly.com unless told not to (also set in redocly.yaml).
export REDOCLY_TELEMETRY := off

## spec: write openapi/vshop.json (checked in) and the HTML API reference $(DOCS_DIR)/index.html (not checked in)
spec: spec-json docs

## spec-json: write openapi/vshop.json, the same document as openapi/vshop.yaml (key order kept)
spec-json:
	$(GO) run ./internal/tools/specjson -o openapi/vshop.json openapi/vshop.yaml

## spec-check: fail when openapi/vshop.json is not what openapi/vshop.yaml produces (run `make spec` and commit)
spec-check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) run ./internal/tools/specjson -o "$$tmp/vshop.json" openapi/vshop.yaml && \
	if ! diff -u openapi/vshop.json "$$tmp/vshop.json" > "$$tmp/diff"; then \
		head -40 "$$tmp/diff"; \
		echo "openapi/vshop.json is out of date with openapi/vshop.yaml: run 'make spec' and commit the result" >&2; \
		exit 1; \
	fi; echo "openapi/vshop.json matches openapi/vshop.yaml"

# npm ci only when package.json or package-lock.json changed since the last install.
$(NPM_STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

## lint: lint openapi/vshop.yaml with Redocly CLI (rules in redocly.yaml); fails on any error or warning
lint: $(NPM_STAMP)
	$(REDOCLY) lint --max-problems 200 --format stylish
	@$(REDOCLY) lint --format json 2>/dev/null | $(NODE) -e 'const t=require("fs").readFileSync(0,"utf8"); const r=JSON.parse(t.slice(t.indexOf("{"))).totals; if (r.errors || r.warnings || r.ignored) { console.error("lint: " + r.errors + " errors, " + r.warnings + " warnings, " + r.ignored + " ignored: fix them, or switch the rule off in redocly.yaml with a reason"); process.exit(1) }'

## docs: build the HTML API reference $(DOCS_DIR)/index.html (self-contained: Redoc is inlined)
docs: $(NPM_STAMP)
	$(REDOCLY) build-docs openapi/vshop.yaml --inlineBundle --title 'Linksfield Mall Vshop API (vshop-go)' -o $(DOCS_DIR)/index.html

## vectors: check the Python and Node example signers against openapi/signing-vectors.json
## (the Go signer is checked against the same file by `make test`: signing/vectors_test.go)
vectors:
	$(PYTHON) examples/signers/sign.py
	$(NODE) examples/signers/sign.js

## breaking: report breaking changes of openapi/vshop.yaml since BASE (a git ref), e.g. make breaking BASE=main;
## run it before merging a spec change. Fails on oasdiff warnings too: it rates a removed request field only a warning.
breaking:
	@test -n "$(BASE)" || { echo "usage: make breaking BASE=<git ref>   (e.g. BASE=main or BASE=HEAD~1)" >&2; exit 2; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	git show "$(BASE):openapi/vshop.yaml" > "$$tmp/base.yaml" && \
	echo "breaking changes in openapi/vshop.yaml since $(BASE):" && \
	$(GO) run $(OASDIFF) breaking --fail-on WARN "$$tmp/base.yaml" openapi/vshop.yaml

# ---- The spec outside Go (issue 12) -----------------------------------------------------------------

.PHONY: examples example-typescript example-python lint-report lint-vacuum lint-spectral

TS_DIR := examples/typescript

## examples: the whole purchase flow in TypeScript and in Python against a fresh `vshop sandbox`
examples: example-typescript example-python

## example-typescript: generate a TypeScript client from the spec (openapi-typescript --enum, pinned in
## package-lock.json), compile it and the flow with tsc, run the flow (openapi-fetch, signed with
## examples/signers/sign.js) against a fresh sandbox on 127.0.0.1
example-typescript: $(NPM_STAMP)
	@# run from $(TS_DIR): at the root, openapi-typescript would read redocly.yaml instead of the argument
	cd $(TS_DIR) && ../../node_modules/.bin/openapi-typescript ../../openapi/vshop.yaml --enum -o gen/vshop.ts
	node_modules/.bin/tsc -p $(TS_DIR)
	examples/with-sandbox.sh $(NODE) $(TS_DIR)/dist/flow.js

## example-python: the same flow with only Python's standard library, signed with examples/signers/sign.py
example-python:
	examples/with-sandbox.sh $(PYTHON) examples/python/flow.py

# vacuum is a Go program pinned in internal/tools/lint/go.mod (a module of its own: its dependencies
# stay out of the vshop module). Spectral and Redocly are pinned in package-lock.json.
VACUUM := cd internal/tools/lint && $(GO) run github.com/daveshanley/vacuum
VACUUM_MIN := 95
SPECTRAL := node_modules/.bin/spectral

## lint-report: print the three linters' results on openapi/vshop.yaml: lint-vacuum, then lint-spectral
lint-report: lint-vacuum lint-spectral

## lint-vacuum: fail unless vacuum scores >= $(VACUUM_MIN). Not in .ci/run: building vacuum from an
## empty module cache takes about 6.5 minutes on 2 cores (measured), so CI runs lint-spectral only
lint-vacuum:
	@out=$$($(VACUUM) lint --no-style --min-score $(VACUUM_MIN) ../../../openapi/vshop.yaml 2>&1) && rc=0 || rc=$$?; \
	score=$$(printf '%s\n' "$$out" | sed -n 's/.*Quality Score: \([0-9]*\/100\).*/\1/p'); \
	echo "vacuum $$(cd internal/tools/lint && $(GO) list -m -f '{{.Version}}' github.com/daveshanley/vacuum): score $${score:-?} (minimum $(VACUUM_MIN)); $$(printf '%s\n' "$$out" | grep -o 'Passed[^.]*\|Failed[^.]*' | head -1)"; \
	if [ $$rc -ne 0 ] || [ -z "$$score" ]; then printf '%s\n' "$$out" >&2; exit 1; fi

## lint-spectral: fail unless Spectral (spectral:oas, .spectral.yaml) finds nothing and Redocly
## (redocly.yaml) has no error or warning
lint-spectral: $(NPM_STAMP)
	@n=$$($(SPECTRAL) lint --quiet -f json openapi/vshop.yaml 2>/dev/null | $(NODE) -e 'const t=require("fs").readFileSync(0,"utf8"); console.log(JSON.parse(t.slice(t.indexOf("["))).length)'); \
	echo "spectral $$($(SPECTRAL) --version) (spectral:oas): $$n problems"; \
	if [ "$$n" != 0 ]; then $(SPECTRAL) lint openapi/vshop.yaml; exit 1; fi
	@$(REDOCLY) lint --format json 2>/dev/null | $(NODE) -e 'const t=require("fs").readFileSync(0,"utf8"); const r=JSON.parse(t.slice(t.indexOf("{"))).totals; console.log("redocly " + require("./node_modules/@redocly/cli/package.json").version + " (recommended, info-license off): " + r.errors + " errors, " + r.warnings + " warnings, " + r.ignored + " ignored"); if (r.errors || r.warnings || r.ignored) process.exit(1)'
