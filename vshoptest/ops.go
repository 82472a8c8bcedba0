package vshoptest

import "github.com/vshop-go/vshop"

// operation is what the gate knows about one operation of the spec.
type operation struct {
	id     string          // operationId, "listPlans"
	path   string          // "/singleServicePlanPage"
	method string          // "POST"
	fields map[string]bool // the request body's property names
}

// loadOperations indexes the spec's operations by path, from the vshop package's operation table
// (generated from the spec: the one place that derives them).
func loadOperations() (map[string]operation, error) {
	ops := map[string]operation{}
	for _, op := range vshop.Operations() {
		o := operation{id: op.ID, path: op.Path, method: "POST", fields: map[string]bool{}}
		for _, name := range op.RequestFields() {
			o.fields[name] = true
		}
		ops[op.Path] = o
	}
	return ops, nil
}
