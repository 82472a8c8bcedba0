package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop/internal/sandbox"
)

// defaultSandboxAddr is where `vshop sandbox` listens unless --addr says otherwise.
const defaultSandboxAddr = "127.0.0.1:8080"

// shutdownGrace is how long a stopping sandbox waits for requests in progress.
const shutdownGrace = 5 * time.Second

const sandboxExample = `  vshop sandbox
  vshop sandbox --addr 127.0.0.1:9090

  # in another terminal
  export VSHOP_PARTNER_CODE=P000270
  vshop --env sandbox verify --device 89852420180910340793
  vshop --base-url http://127.0.0.1:9090 plans --device 89852420180910340793 --output table`

// newSandboxCommand is `vshop sandbox`: the offline fake Mall server, until Ctrl-C.
func newSandboxCommand(a *app) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "sandbox [--addr HOST:PORT]",
		Short: "Run the offline sandbox Mall server",
		Long: `Run the sandbox: a fake Linksfield Mall that speaks the same spec, checks every sign and keeps
orders and auto-renewals in memory. It prints its base URL, the test cards and the plans, logs each
request on stderr, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM, exiting 0.

Its failures are envelopes with operateCode "F", the sandbox's own code (Linksfield documents only "S").`,
		Example: sandboxExample,
		Args:    cobra.NoArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			sb, err := sandbox.New()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageErrorf("--addr: %v (is another sandbox running? --addr 127.0.0.1:0 picks a free port)", err)
			}
			srv := &http.Server{Handler: logRequests(sb.Handler(), a.stderr), ReadHeaderTimeout: 10 * time.Second}
			base := "http://" + ln.Addr().String()
			if err := writeSandboxBanner(a.stdout, base, sb); err != nil {
				ln.Close()
				return err
			}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			select {
			case err := <-served:
				return err
			case <-cmd.Context().Done():
			}
			fmt.Fprintln(a.stderr, "vshop sandbox: stopping")
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				return fmt.Errorf("stopping the sandbox: %w", err)
			}
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			fmt.Fprintln(a.stderr, "vshop sandbox: stopped")
			return nil
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", defaultSandboxAddr, "the address to listen on, HOST:PORT (port 0 picks a free one)")
	return cmd
}

// writeSandboxBanner tells a person where the sandbox is and what it holds. The base URL is on the
// first line.
func writeSandboxBanner(w io.Writer, base string, sb *sandbox.Sandbox) error {
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

// logRequests writes one line per request to w: method, path, status and duration.
func logRequests(next http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s %s %s -> %d (%v)\n", start.Format("15:04:05.000"), r.Method, r.URL.Path, rec.status,
			time.Since(start).Round(time.Microsecond))
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
