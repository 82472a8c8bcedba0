package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop/vshoptest"
)

// defaultSandboxAddr is where `vshop sandbox` listens unless --addr says otherwise.
const defaultSandboxAddr = "127.0.0.1:8080"

// shutdownGrace is how long a stopping sandbox waits for requests in progress.
const shutdownGrace = 5 * time.Second

const sandboxExample = `  vshop sandbox
  vshop sandbox --addr 127.0.0.1:9090
  vshop sandbox --latency 300ms --failure-rate 0.2

  # in another terminal
  export VSHOP_PARTNER_CODE=P000270
  vshop --env sandbox verify --device 89852420180910340793
  vshop --base-url http://127.0.0.1:9090 plans --device 89852420180910340793 --output table`

// newSandboxCommand is `vshop sandbox`: the fake Mall of package vshoptest, served until Ctrl-C.
func newSandboxCommand(a *app) *cobra.Command {
	var (
		addr        string
		latency     time.Duration
		failureRate float64
	)
	cmd := &cobra.Command{
		Use:   "sandbox [--addr HOST:PORT] [--latency D] [--failure-rate R]",
		Short: "Run the offline sandbox Mall server",
		Long: `Run the sandbox: a fake Linksfield Mall that speaks the same spec, checks every sign and keeps
orders and auto-renewals in memory. It is the fake of the Go package vshoptest, with its limits and
timeouts. It prints its base URL, the test cards and the plans, logs each request on stderr, and
stops on Ctrl-C (SIGINT) or SIGTERM, exiting 0: requests in progress get a few seconds to finish,
then their connections are closed.

--latency delays every answer and --failure-rate answers a share of requests, at random, with
HTTP 503 and Retry-After: 1, to try a service's timeouts and retries by hand. The sandbox warns when
--addr is not a loopback address: anyone who can reach the port can use it.

Its failures are envelopes with operateCode "F", the sandbox's own code (Linksfield documents only "S").`,
		Example: sandboxExample,
		Args:    cobra.NoArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			if latency < 0 {
				return usageErrorf("--latency: must not be negative, got %v", latency)
			}
			if !(failureRate >= 0 && failureRate <= 1) {
				return usageErrorf("--failure-rate: must be from 0 to 1, got %v", failureRate)
			}
			srv, err := vshoptest.Start(addr, vshoptest.WithLatency(latency), vshoptest.WithFailureRate(failureRate),
				vshoptest.WithAccessLog(a.stderr))
			if err != nil {
				return usageErrorf("--addr: %v (is another sandbox running? --addr 127.0.0.1:0 picks a free port)", err)
			}
			if warning := exposureWarning(srv.Addr()); warning != "" {
				fmt.Fprintln(a.stderr, warning)
			}
			if err := writeSandboxBanner(a.stdout, srv.URL, srv); err != nil {
				srv.Close()
				return err
			}
			<-cmd.Context().Done()
			fmt.Fprintln(a.stderr, "vshop sandbox: stopping")
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
				fmt.Fprintf(a.stderr, "vshop sandbox: requests still in progress after %v: their connections were closed\n", shutdownGrace)
			}
			fmt.Fprintln(a.stderr, "vshop sandbox: stopped")
			return nil
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", defaultSandboxAddr, "the address to listen on, HOST:PORT (port 0 picks a free one)")
	cmd.Flags().DurationVar(&latency, "latency", 0, "delay every answer by this long, such as 300ms")
	cmd.Flags().Float64Var(&failureRate, "failure-rate", 0, "answer this share of requests (0 to 1) with HTTP 503, at random")
	return cmd
}

// exposureWarning is the warning to print when addr is not a loopback address, or "".
func exposureWarning(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("vshop sandbox: warning: listening on %s, which is not a loopback address: anyone who can reach "+
		"this port can use the sandbox; use --addr 127.0.0.1:PORT to keep it on this machine", addr)
}

// writeSandboxBanner tells a person where the sandbox is and what it holds. The base URL is on the
// first line.
func writeSandboxBanner(w io.Writer, base string, sb *vshoptest.Server) error {
	var b strings.Builder
	fmt.Fprintf(&b, "vshop sandbox: serving the Vshop API at %s\n\nTest cards:\n", base)
	cards := &table{}
	cards.add("ICCID", "LINKSFIELD", "NOTE")
	for _, c := range sb.Cards() {
		owner := "no"
		if c.Linksfield {
			owner = "yes"
		}
		cards.add(c.ICCID, owner, c.Note)
	}
	cards.write(&b, "  ")
	b.WriteString("\nPlans:\n")
	plans := &table{}
	plans.add("PACKAGE CODE", "SERVICE PLAN CODE", "NAME", "TYPE", "AREA", "PRICE")
	for _, p := range sb.Plans() {
		plans.add(p.PackageCode, p.ServicePlanCode, p.ServicePlanShowName, packageTypeName(p.PackageType), p.Area,
			p.PayAmount+" "+p.PayCurrency)
	}
	plans.write(&b, "  ")
	fmt.Fprintf(&b, "\nTry, in another terminal:\n  export %s=%s\n", partnerCodeEnv, demoPartner)
	fmt.Fprintf(&b, "  vshop --base-url %s verify --device %s\n", base, demoCard)
	fmt.Fprintf(&b, "  vshop --base-url %s plans --device %s --output table\n", base, demoCard)
	b.WriteString("\nCtrl-C stops the sandbox.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
