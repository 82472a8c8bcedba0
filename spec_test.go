package vshop

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vshop-go/vshop/generated"
)

// loadSpec loads openapi/vshop.yaml (optionally edited) and validates it with example validation on.
func loadSpec(t *testing.T, edit func(string) string) error {
	t.Helper()
	raw, err := os.ReadFile("openapi/vshop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	if edit != nil {
		src = edit(src)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(src))
	if err != nil {
		return err
	}
	return doc.Validate(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaPatternValidation())
}

func TestSpecValidates(t *testing.T) {
	if err := loadSpec(t, nil); err != nil {
		t.Fatalf("openapi/vshop.yaml does not validate: %v", err)
	}
}

// TestSpecExampleValidationBites shows the validation above can fail: an example that breaks its
// schema is reported.
func TestSpecExampleValidationBites(t *testing.T) {
	tests := []struct{ name, old, new string }{
		{"letters in a request example's deviceCode", `deviceCode: "89852420180910340793"
              languageCode: "1"
              mark: "0"
              partnerCode: P000270
              terminal: "1"`, `deviceCode: "8985ABC"
              languageCode: "1"
              mark: "0"
              partnerCode: P000270
              terminal: "1"`},
		{"unknown packageType in a response example", `packageType: "1"
                    subscriptionTime: "2025.03.27"`, `packageType: "9"
                    subscriptionTime: "2025.03.27"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadSpec(t, func(s string) string {
				if !strings.Contains(s, tt.old) {
					t.Fatalf("the spec no longer contains %q", tt.old)
				}
				return strings.Replace(s, tt.old, tt.new, 1)
			})
			if err == nil {
				t.Fatal("the broken example was accepted")
			}
		})
	}
}

// TestEveryOperationHasTradeType checks the spec states a tradeType for each of the seven operations.
func TestEveryOperationHasTradeType(t *testing.T) {
	ops, err := operations()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/singleVerify":            "singleVerify",
		"/singleServicePlanPage":   "singleServicePlanPage",
		"/singleOrder":             "singleOrder",
		"/singleQueryOrder":        "singleQueryOrder",
		"/queryAutoRenewalRecord":  "queryAutoRenewalRecord",
		"/cancelAutoRenewalRecord": "cancelAutoRenewalRecord",
		"/synPartner/SynOrderInfo": "SynOrderInfo",
	}
	if len(ops.tradeTypes) != len(want) {
		t.Errorf("spec has %d operations, want %d", len(ops.tradeTypes), len(want))
	}
	for path, tt := range want {
		if got := ops.tradeTypes[path]; got != tt {
			t.Errorf("%s: tradeType %q, want %q", path, got, tt)
		}
	}
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		src, _ := item.Post.Extensions["x-trade-type-source"].(string)
		if src == "" {
			t.Errorf("%s: no x-trade-type-source saying where the tradeType comes from", path)
		}
	}
}
