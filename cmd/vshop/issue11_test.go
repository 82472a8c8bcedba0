package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestInputRefusedBeforeSending reproduces issue 11 (items 4 and 6): each input was sent, or
// refused with the wrong code or without naming the flag, on main (1936807). Each must now exit 2,
// name the flag or field, and send nothing.
func TestInputRefusedBeforeSending(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string { return writeFile(t, dir, name, content) }
	order := func(extra string) string {
		return `{"deviceCode":"89852420180910340793","packageCode":"DP20190726001274","orderNo":"NO1","orderPeriod":"1",` +
			`"payAmount":"12.36","payCurrency":"GBP","payRst":"SUCCESS"` + extra + `}`
	}
	badUTF8 := file("utf8.json", order(",\"payId\":\"P\xff1\""))
	dupKey := file("dup.json", order(`,"payId":"P1","payId":"P2"`))
	caseKey := file("case.json", `{"DeviceCode":"89852420180910340793"}`)
	blankID := file("blank.json", order(`,"payId":"   "`))
	bigSync := file("big.json", order(`,"payId":"`+strings.Repeat("1", 1<<20)+`"`))
	badDevices := file("devices.txt", "89852420180910340793\n8985\xff\n")

	create := []string{"orders", "create", "--device", "89852420180910340793", "--package-code", "P",
		"--service-plan-code", "S", "--period", "1", "--amount", "4.99", "--currency", "USD"}
	with := func(extra ...string) []string { return append(append([]string{}, create...), extra...) }
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"invalid UTF-8 in --pay-id", with("--pay-id", "P\xff1"), "", `--pay-id: not valid UTF-8`},
		{"invalid UTF-8 in --url", []string{"verify", "--device", "1", "--url", "https://x/\xfe"}, "", `--url: not valid UTF-8`},
		{"invalid UTF-8 in --area", []string{"plans", "--device", "1", "--area", "\xff"}, "", `--area: not valid UTF-8`},
		{"invalid UTF-8 in --partner-code", []string{"--partner-code", "P\xff", "verify", "--device", "1"}, "", `--partner-code: not valid UTF-8`},
		{"invalid UTF-8 in a sync file", []string{"orders", "sync", "--file", badUTF8}, "", `payId: not valid UTF-8`},
		{"invalid UTF-8 in a devices file", []string{"verify", "--devices-file", badDevices}, "", `line 2: not valid UTF-8`},
		{"duplicate key in a sync file", []string{"orders", "sync", "--file", dupKey}, "", `key "payId": given twice`},
		{"case variant key in a sync file", []string{"orders", "sync", "--file", caseKey}, "", `key "DeviceCode": the field is "deviceCode"`},
		{"blank id in a sync file", []string{"orders", "sync", "--file", blankID}, "", `payId: blank`},
		{"blank --order-no", with("--order-no", "   "), "", `--order-no: blank`},
		{"blank --pay-id", with("--pay-id", " "), "", `--pay-id: blank`},
		{"rate far too low", []string{"verify", "--devices-file", "-", "--rate", "1e-9"}, "1\n", `--rate: must be a number of calls per second, at least 0.1`},
		{"sign: stdin too large", []string{"sign"}, `{"a":"` + strings.Repeat("x", 2<<20) + `"}`, `stdin: larger than 1024 KiB`},
		{"sync file too large", []string{"orders", "sync", "--file", bigSync}, "", `larger than 1024 KiB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startCounting(t, failureEnvelope)
			got := runCLI(t, tt.stdin, append([]string{"--base-url", srv.URL}, tt.args...)...)
			if got.code != exitUsage || !strings.Contains(got.stderr, tt.want) || srv.requests.Load() != 0 {
				t.Errorf("exit %d, %d requests; want 2, none, and %q in stderr:\n%s", got.code, srv.requests.Load(), tt.want, got.stderr)
			}
		})
	}
	t.Run("invalid UTF-8 in $VSHOP_PARTNER_CODE", func(t *testing.T) {
		srv := startCounting(t, failureEnvelope)
		t.Setenv(partnerCodeEnv, "P\xff")
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"--base-url", srv.URL, "verify", "--device", "1"}, strings.NewReader(""), &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), "--partner-code: $VSHOP_PARTNER_CODE is not valid UTF-8") {
			t.Errorf("exit %d\nstderr: %s", code, errOut.String())
		}
	})
}

// TestHelpHidesThePartnerCode: --help names $VSHOP_PARTNER_CODE as the default, never its value.
func TestHelpHidesThePartnerCode(t *testing.T) {
	t.Setenv(partnerCodeEnv, "SECRET-P123")
	for _, args := range [][]string{{"--help"}, {"verify", "--help"}, {"orders", "create", "--help"}} {
		var out, errOut bytes.Buffer
		run(context.Background(), args, strings.NewReader(""), &out, &errOut)
		if strings.Contains(out.String()+errOut.String(), "SECRET-P123") || !strings.Contains(out.String(), "(default: $VSHOP_PARTNER_CODE)") {
			t.Errorf("vshop %s: the help shows the value or not the variable:\n%s", strings.Join(args, " "), out.String())
		}
	}
}

// TestErrorsMaskDevices: an error message that repeats the device code shows it masked as the logs
// do, unless --verbose.
func TestErrorsMaskDevices(t *testing.T) {
	const device = "89852420180910340793"
	srv := startCounting(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"operateCode":"F","message":"deviceCode ` + device + `: unknown card"}`))
	})
	got := runCLI(t, "", "--base-url", srv.URL, "verify", "--device", device)
	if got.code != exitFailure || strings.Contains(got.stderr, device) || !strings.Contains(got.stderr, "898524**********0793: unknown card") {
		t.Errorf("exit %d; want the device masked:\n%s", got.code, got.stderr)
	}
	got = runCLI(t, "", "--base-url", srv.URL, "--verbose", "verify", "--device", device)
	if got.code != exitFailure || !strings.Contains(got.stderr, "deviceCode "+device+": unknown card") {
		t.Errorf("--verbose: exit %d; want the device in full:\n%s", got.code, got.stderr)
	}
}

// hijack answers a request by taking over its connection and calling fn with it.
func hijack(fn func(c net.Conn, rw *bufio.ReadWriter)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		fn(c, rw)
	}
}

// failingStdout fails every write as a full disk does.
type failingStdout struct{}

func (failingStdout) Write([]byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
}

// TestEveryExitCode gives each exit code of the table a case that produces it, and checks that the
// table has no code without one. A truncated answer and a reset are both network failures (exit 3).
func TestEveryExitCode(t *testing.T) {
	truncated := startCounting(t, hijack(func(c net.Conn, rw *bufio.ReadWriter) {
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"operateCode\":\"S\",")
		rw.Flush()
		c.Close()
	}))
	reset := startCounting(t, hijack(func(c net.Conn, _ *bufio.ReadWriter) {
		c.(*net.TCPConn).SetLinger(0) // close with RST
		c.Close()
	}))
	ok := startCounting(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"operateCode":"S","data":{"status":"valid"}}`))
	})
	failing := startCounting(t, failureEnvelope)
	create := []string{"orders", "create", "--device", "1", "--package-code", "P", "--service-plan-code", "S",
		"--period", "1", "--amount", "1", "--currency", "USD"} // sent once: no retry
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name   string
		ctx    context.Context
		args   []string
		stdout interface{ Write([]byte) (int, error) }
		code   int
		want   string
	}{
		{"success", nil, []string{"--base-url", ok.URL, "verify", "--device", "1"}, nil, exitOK, ""},
		{"failure answer", nil, []string{"--base-url", failing.URL, "verify", "--device", "1"}, nil, exitFailure, "unknown card"},
		{"bad usage", nil, []string{"verify", "extra-arg"}, nil, exitUsage, `vshop verify takes no arguments, got "extra-arg"`},
		{"truncated answer", nil, append([]string{"--base-url", truncated.URL}, create...), nil, exitNetwork, "unexpected EOF"},
		{"connection reset", nil, append([]string{"--base-url", reset.URL}, create...), nil, exitNetwork, "reset"},
		{"local write error", nil, []string{"spec"}, failingStdout{}, exitLocalIO, "writing stdout"},
		{"result write error", nil, []string{"--base-url", ok.URL, "verify", "--device", "1"}, failingStdout{}, exitLocalIO, "writing stdout"},
		{"interrupted", cancelled, []string{"--base-url", ok.URL, "verify", "--devices-file", "-"}, nil, exitInterrupted, "interrupted"},
	}
	tested := map[int]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(partnerCodeEnv, testPartner)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var out bytes.Buffer
			var stdout interface{ Write([]byte) (int, error) } = &out
			if tt.stdout != nil {
				stdout = tt.stdout
			}
			var errOut bytes.Buffer
			code := run(ctx, tt.args, strings.NewReader("1\n"), stdout, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, want %d and %q\nstderr: %s", code, tt.code, tt.want, errOut.String())
			}
			tested[tt.code] = true
		})
	}
	for _, e := range exitCodes {
		if !tested[e.code] {
			t.Errorf("exit code %d (%s) has no case", e.code, e.meaning)
		}
	}
}
