package vshoptest

import (
	"fmt"

	"github.com/vshop-go/vshop/generated"
)

// operation is what the gate knows about one operation of the spec.
type operation struct {
	id        string          // operationId, "listPlans"
	path      string          // "/singleServicePlanPage"
	method    string          // "POST"
	tradeType string          // the operation's x-trade-type: the tradeType its requests must carry
	fields    map[string]bool // the request body's property names
}

// loadOperations reads the spec's operations from the embedded spec: the one small lookup of paths
// and tradeTypes in this package, to be replaced by the vshop package's operation table once it
// exports one.
func loadOperations() (map[string]operation, error) {
	doc, err := generated.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("vshoptest: loading the embedded spec: %w", err)
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			tt, _ := op.Extensions["x-trade-type"].(string)
			if tt == "" || op.OperationID == "" {
				return nil, fmt.Errorf("vshoptest: the embedded spec's operation on %s has no operationId or x-trade-type", path)
			}
			o := operation{id: op.OperationID, path: path, method: method, tradeType: tt, fields: map[string]bool{}}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
					for name := range mt.Schema.Value.Properties {
						o.fields[name] = true
					}
				}
			}
			if _, dup := ops[path]; dup {
				return nil, fmt.Errorf("vshoptest: the spec has more than one operation on %s", path)
			}
			ops[path] = o
		}
	}
	return ops, nil
}
