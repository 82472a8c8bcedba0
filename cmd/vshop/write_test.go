package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/signing"
)

// countingListener counts the connections accepted on a loopback port.
type countingListener struct {
	net.Listener
	conns atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.conns.Add(1)
	}
	return c, err
}

// startCountingListener serves the sandbox on a listener that counts connections.
func startCountingListener(t *testing.T) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: newSandbox(t).Handler()}
	go srv.Serve(cl)
	t.Cleanup(func() { srv.Close() })
	return cl, "http://" + ln.Addr().String()
}

// writeCommands are the three write commands with valid arguments.
func writeCommands(t *testing.T) map[string][]string {
	t.Helper()
	order := filepath.Join(t.TempDir(), "order.json")
	os.WriteFile(order, []byte(`{"deviceCode": "89852420180910340793", "packageCode": "DP20190726001274", "orderNo": "NO2023060915590562022",
	 "orderPeriod": "1", "payAmount": "12.36", "payCurrency": "GBP", "payId": "P000000002022",
	 "payRst": "SUCCESS", "payResultDate": "2022-06-07 15:10:35", "autoRenewal": "0", "payAccount": "a&b<c>"}`), 0o600)
	return map[string][]string{
		"orders create": {"orders", "create", "--device", "89852420180910340793", "--package-code", "PACKAGE20180428000007",
			"--service-plan-code", "SP-EU-1GB-30D", "--period", "1", "--amount", "4.99", "--currency", "USD", "--order-no", "N1"},
		"orders sync": {"orders", "sync", "--file", order},
		"auto-renewals cancel": {"auto-renewals", "cancel", "--device", "8100000000012000423",
			"--pay-id", "CU-7ZOIHX0RB16U2025032713303774502", "--order-no", "NO2025032713303915052"},
	}
}

// TestDryRunSendsNothing is acceptance point 3 of issue 13 (first half): each write command with
// --dry-run prints a signed body whose sign is right, and the server's listener sees 0 connections.
func TestDryRunSendsNothing(t *testing.T) {
	for name, args := range writeCommands(t) {
		t.Run(name, func(t *testing.T) {
			ln, base := startCountingListener(t)
			got := runCLI(t, "", append([]string{"--base-url", base}, append(args, "--dry-run")...)...)
			if got.code != exitOK {
				t.Fatalf("exit %d\nstderr: %s", got.code, got.stderr)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(got.stdout), &body); err != nil {
				t.Fatalf("stdout is not a JSON body: %v\n%s", err, got.stdout)
			}
			sign, _ := body["sign"].(string)
			want, err := signing.Sign([]byte(strings.TrimSpace(got.stdout)))
			if err != nil || sign == "" || sign != want || body["partnerCode"] != testPartner {
				t.Errorf("sign %q, recomputed %q (%v), partnerCode %v", sign, want, err, body["partnerCode"])
			}
			if !strings.Contains(got.stderr, "nothing was sent") || !strings.Contains(got.stderr, base) {
				t.Errorf("stderr does not say where it would go and that nothing was sent: %s", got.stderr)
			}
			if n := ln.conns.Load(); n != 0 {
				t.Errorf("the listener saw %d connections, want 0", n)
			}
		})
	}
	// Against production a dry run needs no confirmation: it sends nothing.
	got := runCLI(t, "", append([]string{"--env", "production"}, append(writeCommands(t)["orders create"], "--dry-run")...)...)
	if got.code != exitOK || !strings.Contains(got.stderr, vshop.ProductionURL+"/singleOrder (nothing was sent)") {
		t.Errorf("production dry run: exit %d\nstderr: %s", got.code, got.stderr)
	}
}

// TestProductionNeedsConfirmation is acceptance point 3 of issue 13 (second half): against
// production (by --env, $VSHOP_ENV or its URL) a write on a non-terminal stdin without --yes exits
// 2 and says why. Nothing here reaches the network: the refusal comes first.
func TestProductionNeedsConfirmation(t *testing.T) {
	for name, args := range writeCommands(t) {
		for _, how := range [][]string{{"--env", "production"}, {"--base-url", vshop.ProductionURL + "/"}, nil} {
			t.Run(name+" "+strings.Join(how, " "), func(t *testing.T) {
				if how == nil {
					t.Setenv(envEnv, "production")
				}
				got := runCLI(t, "", append(how, args...)...)
				if got.code != exitUsage || !strings.Contains(got.stderr, "on production ("+vshop.ProductionURL+") without confirmation: stdin is not a terminal") ||
					!strings.Contains(got.stderr, "--yes") {
					t.Errorf("exit %d, want 2 and why\nstderr: %s", got.code, got.stderr)
				}
			})
		}
	}
}

// TestConfirmation answers the question on a (simulated) terminal: "yes" goes on, anything else
// stops with exit 2 and nothing sent; outside production nothing is asked.
func TestConfirmation(t *testing.T) {
	tests := []struct {
		answer string
		ok     bool
	}{{"yes\n", true}, {"Y\n", true}, {"no\n", false}, {"\n", false}, {"", false}}
	for _, tt := range tests {
		var stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(tt.answer), stderr: &stderr, stdinTerminal: func() bool { return true }, env: envFlag()}
		a.env.Set("production")
		err := a.confirm(&writeFlags{}, "cancel something")
		if (err == nil) != tt.ok || !strings.Contains(stderr.String(), "cancel something on PRODUCTION") {
			t.Errorf("answer %q: err %v, asked %q", tt.answer, err, stderr.String())
		}
	}
	a := &app{stdin: strings.NewReader(""), stderr: new(bytes.Buffer), stdinTerminal: func() bool { return true }, env: envFlag()}
	if err := a.confirm(&writeFlags{}, "x"); err != nil || a.stderr.(*bytes.Buffer).Len() != 0 {
		t.Errorf("UAT: err %v, asked %q", err, a.stderr)
	}
	if (&app{env: envFlag()}).isProduction() {
		t.Error("the default env is production")
	}
}

// TestDefaultEnvIsUAT: without --env and $VSHOP_ENV requests go to UAT; a dry run shows where.
func TestDefaultEnvIsUAT(t *testing.T) {
	t.Setenv(envEnv, "")
	got := runCLI(t, "", append(writeCommands(t)["auto-renewals cancel"], "--dry-run")...)
	if got.code != exitOK || !strings.Contains(got.stderr, vshop.UATURL+"/cancelAutoRenewalRecord") {
		t.Errorf("exit %d, stderr %s; want the UAT URL", got.code, got.stderr)
	}
}
