package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestDemo runs the demo to completion and checks that it shows every step, the operation it calls
// and its key result.
func TestDemo(t *testing.T) {
	got := runCLI(t, "", "demo")
	if got.code != exitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	want := []string{"service  http://127.0.0.1:"}
	steps := []struct{ path, result string }{
		{"/singleVerify", "the card is valid"},
		{"/singleServicePlanPage", "plans:"},
		{"/singleOrder", "ordered: orderNo "},
		{"/singleQueryOrder", "order"},
		{"/queryAutoRenewalRecord", "the order just made"},
		{"/cancelAutoRenewalRecord", "cancelled"},
		{"/queryAutoRenewalRecord", "the cancelled one is gone"},
	}
	for i, s := range steps {
		want = append(want, fmt.Sprintf("Step %d of 7: ", i+1), "POST "+s.path, s.result)
	}
	want = append(want, "Done: 7 calls")
	rest := got.stdout
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("the demo's output lacks %q (or has it out of order):\n%s", w, got.stdout)
		}
		rest = rest[i+len(w):]
	}
}
