package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// newOperation is an operation that is not in the spec: a balance query on the pattern of the others.
const newOperation = `  /singleQueryBalance:
    post:
      tags: [Vshop]
      operationId: queryBalance
      summary: Query a card's balance (a made-up operation, for the generator's test)
      x-trade-type: singleQueryBalance
      x-trade-type-source: made up by the test
      x-retry: always
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [deviceCode, languageCode, mark, partnerCode, sign, terminal, tradeTime, tradeType, version]
              properties:
                deviceCode: {$ref: '#/components/schemas/DeviceCode'}
                currency: {$ref: '#/components/schemas/Currency'}
                languageCode: {$ref: '#/components/schemas/LanguageCode'}
                mark: {$ref: '#/components/schemas/Mark'}
                partnerCode: {$ref: '#/components/schemas/PartnerCode'}
                sign: {$ref: '#/components/schemas/Sign'}
                terminal: {$ref: '#/components/schemas/Terminal'}
                tradeTime: {$ref: '#/components/schemas/TradeTime'}
                tradeType: {type: string, enum: [singleQueryBalance]}
                version: {$ref: '#/components/schemas/Version'}
      responses:
        '200':
          description: The balance.
          content:
            application/json:
              schema:
                type: object
                required: [operateCode, message]
                properties:
                  operateCode: {$ref: '#/components/schemas/OperateCode'}
                  message: {$ref: '#/components/schemas/Message'}
                  data: {$ref: '#/components/schemas/OpenData'}
`

// callerTest is hand-written code of a service that uses the new operation: it exists only once the
// generator has made the method. Its server checks the sign on the raw bytes it received.
const callerTest = `package vshop_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/signing"
)

func TestQueryBalance(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if err := signing.Verify(raw); err != nil || r.URL.Path != "/singleQueryBalance" {
			t.Errorf("%s %s: %v", r.URL.Path, raw, err)
		}
		json.Unmarshal(raw, &got)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, ` + "`" + `{"operateCode":"S","message":"success","data":{"balance":"12.50"}}` + "`" + `)
	}))
	defer srv.Close()
	c, err := vshop.NewClient(srv.URL, "P000270")
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.QueryBalance(context.Background(), vshop.QueryBalanceRequest{DeviceCode: "89852420180910340793", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if data["balance"] != "12.50" {
		t.Errorf("data = %v", data)
	}
	if got["tradeType"] != "singleQueryBalance" || got["currency"] != "USD" || got["languageCode"] != "1" || got["partnerCode"] != "P000270" {
		t.Errorf("the server received %v", got)
	}
	if _, err := c.QueryBalance(context.Background(), vshop.QueryBalanceRequest{DeviceCode: "8985", Currency: "US"}); err == nil {
		t.Error("a currency of 2 letters was sent; want a ValidationError from the spec's pattern")
	}
}
`

// TestNewOperationBecomesAMethod adds an operation to a copy of the spec, regenerates the front door
// of a copy of the module with this generator, and runs a test written against the new method: it is
// signed, validated against the new schema and typed, with no hand-written code in the client. It
// needs nothing but the module cache (GOPROXY=off).
func TestNewOperationBecomesAMethod(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a copy of the module")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyModule(t, root, dir)
	spec := filepath.Join(dir, "openapi", "vshop.yaml")
	raw, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(raw, []byte("\ncomponents:\n"))
	if at < 0 {
		t.Fatal("the spec has no components section")
	}
	raw = append(raw[:at+1:at+1], append([]byte(newOperation), raw[at+1:]...)...)
	if err := os.WriteFile(spec, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "newop_test.go"), []byte(callerTest), 0o644); err != nil {
		t.Fatal(err)
	}
	// The front door's part of `make generate` (the go:generate line after oapi-codegen's). oapi-codegen
	// itself is left out: it is not needed for the method (package generated is not read at run time),
	// and a fresh machine's module cache may not hold it, while this test must not download anything.
	command(t, dir, "go", "run", "./internal/tools/genclient", "-spec", "openapi/vshop.yaml",
		"-out", "operations.gen.go", "-names", "generated/names.gen.go")
	if gen, _ := os.ReadFile(filepath.Join(dir, "operations.gen.go")); !bytes.Contains(gen, []byte("func (c *Client) QueryBalance(")) {
		t.Fatal("operations.gen.go has no QueryBalance method after regenerating it")
	}
	command(t, dir, "go", "test", "-count=1", "-run", "^TestQueryBalance$", ".")
}

// copyModule copies what the client is built from: go.mod, go.sum, the root package's non-test
// files, generated/, signing/, internal/ and the spec.
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			switch {
			case rel == ".", rel == "generated", rel == "signing", rel == "openapi", rel == "internal", strings.HasPrefix(rel, "internal"+string(filepath.Separator)):
				return os.MkdirAll(filepath.Join(to, rel), 0o755)
			}
			return filepath.SkipDir
		}
		keep := strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") || rel == "go.mod" || rel == "go.sum" ||
			rel == filepath.Join("openapi", "vshop.yaml") || rel == filepath.Join("generated", "config.yaml")
		if !keep {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func command(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
