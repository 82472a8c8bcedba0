package vshop

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/vshop-go/vshop/generated"
)

// operation is what the client knows about one operation of the spec.
type operation struct {
	ID        string // operationId, e.g. "listAutoRenewals"
	Path      string // e.g. "/queryAutoRenewalRecord"
	TradeType string // the operation's x-trade-type
}

// operationTable indexes the spec's operations. It is built once from the embedded spec and never
// changed afterwards.
type operationTable struct {
	byPath     map[string]operation
	paths      []string // longest first, for suffix matching
	tradeTypes map[string]string
}

// operations reads the embedded spec once: the spec, not the code, says which tradeType each path has.
var operations = sync.OnceValues(func() (*operationTable, error) {
	doc, err := generated.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("vshop: loading the embedded spec: %w", err)
	}
	t := &operationTable{byPath: map[string]operation{}, tradeTypes: map[string]string{}}
	for path, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			tt, _ := op.Extensions["x-trade-type"].(string)
			if tt == "" {
				return nil, fmt.Errorf("vshop: embedded spec: operation %s (%s) has no x-trade-type", op.OperationID, path)
			}
			t.byPath[path] = operation{ID: op.OperationID, Path: path, TradeType: tt}
			t.tradeTypes[path] = tt
			t.paths = append(t.paths, path)
		}
	}
	sort.Slice(t.paths, func(i, j int) bool { return len(t.paths[i]) > len(t.paths[j]) })
	return t, nil
})

// lookup finds the operation whose spec path ends urlPath (the base URL may carry a prefix such as
// /vshop).
func (t *operationTable) lookup(urlPath string) (operation, bool) {
	for _, p := range t.paths {
		if strings.HasSuffix(urlPath, p) {
			return t.byPath[p], true
		}
	}
	return operation{}, false
}
