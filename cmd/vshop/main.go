// Command vshop calls the Linksfield Mall "Vshop" partner API from a terminal: verify a SIM card, list
// and order plans, list orders and auto-renewals, cancel an auto-renewal and report a third-party
// payment, against production, UAT or the built-in offline sandbox. It also runs that sandbox
// (`vshop sandbox`), walks the whole purchase flow (`vshop demo`), computes request signatures
// (`vshop sign`) and prints the embedded OpenAPI spec (`vshop spec`).
//
// Run `vshop --help` for the commands, flags and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
