package vshop

import (
	"context"
	"os"
	"slices"
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

// TestEveryOperationHasTradeType checks the operation table generated from the spec: each of the seven
// operations has the tradeType stated here (from Linksfield's pages), and its path, operationId,
// tradeType, summary and retry class are what the spec says (read here with kin-openapi, not through
// the generator).
func TestEveryOperationHasTradeType(t *testing.T) {
	want := map[string]string{
		"/singleVerify":            "singleVerify",
		"/singleServicePlanPage":   "singleServicePlanPage",
		"/singleOrder":             "singleOrder",
		"/singleQueryOrder":        "singleQueryOrder",
		"/queryAutoRenewalRecord":  "queryAutoRenewalRecord",
		"/cancelAutoRenewalRecord": "cancelAutoRenewalRecord",
		"/synPartner/SynOrderInfo": "SynOrderInfo",
	}
	ops := Operations()
	if len(ops) != len(want) {
		t.Errorf("Operations() has %d operations, want %d", len(ops), len(want))
	}
	tradeTypes := TradeTypes()
	if len(tradeTypes) != len(want) {
		t.Errorf("TradeTypes() has %d paths, want %d", len(tradeTypes), len(want))
	}
	for path, tt := range want {
		if got := tradeTypes[path]; got != tt {
			t.Errorf("TradeTypes()[%s] = %q, want %q", path, got, tt)
		}
	}
	doc, err := generated.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Operation{}
	for _, op := range ops {
		byPath[op.Path] = op
	}
	for path, item := range doc.Paths.Map() {
		post := item.Post
		src, _ := post.Extensions["x-trade-type-source"].(string)
		if src == "" {
			t.Errorf("%s: no x-trade-type-source saying where the tradeType comes from", path)
		}
		op, ok := byPath[path]
		if !ok {
			t.Errorf("%s: not in Operations()", path)
			continue
		}
		specTradeType, _ := post.Extensions["x-trade-type"].(string)
		if op.ID != post.OperationID || op.TradeType != specTradeType || op.TradeType != want[path] || op.Summary != post.Summary {
			t.Errorf("%s: Operations() has %+v; the spec has operationId %q, x-trade-type %q, summary %q",
				path, op, post.OperationID, specTradeType, post.Summary)
		}
		var wantRetry RetryClass
		switch x := post.Extensions["x-retry"].(type) {
		case string:
			wantRetry.Always = x == "always"
			if x != "always" && x != "never" {
				t.Errorf("%s: x-retry %q is neither always, never nor a list of fields", path, x)
			}
		case []any:
			for _, v := range x {
				name, _ := v.(string)
				wantRetry.IfSet = append(wantRetry.IfSet, name)
			}
		default:
			t.Errorf("%s: x-retry is %T %v", path, x, x)
		}
		if op.Retry.Always != wantRetry.Always || strings.Join(op.Retry.IfSet, ",") != strings.Join(wantRetry.IfSet, ",") {
			t.Errorf("%s: Retry %+v, the spec's x-retry says %+v", path, op.Retry, wantRetry)
		}
	}
}

// TestOperationsIsACopy: changing what Operations returns changes nothing in the client.
func TestOperationsIsACopy(t *testing.T) {
	ops := Operations()
	ops[0].Path = "/elsewhere"
	for i := range ops {
		if len(ops[i].Retry.IfSet) > 0 {
			ops[i].Retry.IfSet[0] = "changed"
		}
	}
	for _, op := range Operations() {
		if op.Path == "/elsewhere" || slices.Contains(op.Retry.IfSet, "changed") {
			t.Errorf("Operations() returned the table itself: %+v", op)
		}
	}
}
