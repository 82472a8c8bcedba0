package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestBadInputIsRefusedBeforeSending runs vshop with bad flags or input: each ends with exit code 2
// and a message that names the flag, and the server receives nothing.
func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string { return writeFile(t, dir, name, content) }
	unknownField := file("unknown.json", `{"deviceCode":"89852420180910340793","colour":"red"}`)
	letters := file("letters.json", `{"deviceCode":"89ab","mark":"0","terminal":"0","orderNo":"N1","orderPeriod":"1",
		"packageCode":"P","payAmount":"1.00","payCurrency":"USD","payId":"I1","payRst":"SUCCESS"}`)
	noPayRst := file("norst.json", `{"deviceCode":"89852420180910340793","orderNo":"N1","orderPeriod":"1",
		"packageCode":"P","payAmount":"1.00","payCurrency":"USD","payId":"I1"}`)
	twoObjects := file("two.json", `{} {}`)
	numberAmount := file("number.json", `{"payAmount": 4.99}`)

	create := []string{"orders", "create", "--device", "89852420180910340793", "--package-code", "P",
		"--service-plan-code", "S", "--period", "1", "--amount", "4.99", "--currency", "USD"}
	with := func(args []string, extra ...string) []string { return append(append([]string{}, args...), extra...) }

	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string // in stderr
	}{
		{"unknown language", []string{"verify", "--device", "1", "--language", "klingon"}, "", `"--language"`},
		{"language code out of range", []string{"verify", "--device", "1", "--language", "12"}, "", `"--language"`},
		{"unknown terminal", []string{"verify", "--device", "1", "--terminal", "tablet"}, "", `"--terminal"`},
		{"unknown mark", []string{"verify", "--device", "1", "--mark", "2"}, "", `"--mark"`},
		{"unknown output", []string{"verify", "--device", "1", "--output", "xml"}, "", `"-o, --output"`},
		{"unknown env", []string{"--env", "staging", "verify", "--device", "1"}, "", `"--env"`},
		{"missing device: verify", []string{"verify"}, "", "--device: required"},
		{"missing device: plans", []string{"plans"}, "", "--device: required"},
		{"missing device: orders list", []string{"orders", "list"}, "", "--device: required"},
		{"missing device: auto-renewals list", []string{"auto-renewals", "list"}, "", "--device: required"},
		{"missing device: cancel", []string{"auto-renewals", "cancel", "--pay-id", "I", "--order-no", "N"}, "", "--device: required"},
		{"letters in device", []string{"verify", "--device", "89ab"}, "", `--device: must be digits (an ICCID or IMEI), got "89ab"`},
		{"letters in device: create", with(create, "--device", "12ab"), "", `--device: must be digits`},
		{"period zero", with(create, "--period", "0"), "", `--period: must be a positive whole number`},
		{"period negative", with(create, "--period", "-1"), "", `--period: must be a positive whole number`},
		{"period fraction", with(create, "--period", "1.5"), "", `--period: must be a positive whole number`},
		{"period missing", []string{"orders", "create", "--device", "1", "--package-code", "P", "--service-plan-code", "S",
			"--amount", "1", "--currency", "USD"}, "", `--period: must be a positive whole number`},
		{"amount with comma", with(create, "--amount", "4,99"), "", `--amount: must be a decimal amount`},
		{"currency too short", with(create, "--currency", "US"), "", `--currency: must be a 3-letter`},
		{"missing package code", with(create, "--package-code", ""), "", `--package-code: required`},
		{"missing pay id", []string{"auto-renewals", "cancel", "--device", "1", "--order-no", "N"}, "", `--pay-id: required`},
		{"missing order no", []string{"auto-renewals", "cancel", "--device", "1", "--pay-id", "I"}, "", `--order-no: required`},
		{"missing partner code", []string{"--partner-code=", "verify", "--device", "1"}, "", `--partner-code: required`},
		{"timeout zero", []string{"--timeout", "0s", "verify", "--device", "1"}, "", `--timeout: must be positive`},
		{"timeout not a duration", []string{"--timeout", "soon", "verify", "--device", "1"}, "", `"--timeout"`},
		{"base URL not http", []string{"--base-url", "ftp://example.com", "verify", "--device", "1"}, "", `--base-url: want an absolute http or https URL`},
		{"unknown flag", []string{"verify", "--device", "1", "--colour", "red"}, "", `--colour`},
		{"unknown command", []string{"verfy"}, "", `unknown command "verfy"`},
		{"unknown subcommand", []string{"orders", "delete"}, "", `unknown command "delete" for "vshop orders"`},
		{"group without subcommand", []string{"auto-renewals"}, "", `a command is required`},
		{"sync without --file", []string{"orders", "sync"}, "", `--file: required`},
		{"sync file missing", []string{"orders", "sync", "--file", filepath.Join(dir, "nope.json")}, "", `--file: open`},
		{"sync unknown field", []string{"orders", "sync", "--file", unknownField}, "", `unknown field "colour"`},
		{"sync letters in device", []string{"orders", "sync", "--file", letters}, "", `deviceCode: must match ^[0-9]+$`},
		{"sync missing payRst", []string{"orders", "sync", "--file", noPayRst}, "", `payRst: is required`},
		{"sync two objects", []string{"orders", "sync", "--file", twoObjects}, "", `want one JSON object, found more`},
		{"sync number amount", []string{"orders", "sync", "--file", numberAmount}, "", `payAmount`},
		{"sync stdin not JSON", []string{"orders", "sync", "--file", "-"}, "hello", `--file -: not a SyncThirdPartyOrderRequest`},
		{"sync stdin empty", []string{"orders", "sync", "--file", "-"}, "", `--file -: empty`},
		{"batch and one device", []string{"verify", "--device", "1", "--devices-file", "-"}, "1\n", `--device and --devices-file`},
		{"batch concurrency zero", []string{"orders", "list", "--devices-file", "-", "--concurrency", "0"}, "1\n", `--concurrency: must be 1 to 64`},
		{"batch concurrency too high", []string{"orders", "list", "--devices-file", "-", "--concurrency", "65"}, "1\n", `--concurrency: must be 1 to 64`},
		{"batch rate negative", []string{"auto-renewals", "list", "--devices-file", "-", "--rate", "-1"}, "1\n", `--rate: must be`},
		{"batch rate NaN", []string{"auto-renewals", "list", "--devices-file", "-", "--rate", "NaN"}, "1\n", `--rate: must be`},
		{"batch rate not a number", []string{"auto-renewals", "list", "--devices-file", "-", "--rate", "fast"}, "1\n", `"--rate"`},
		{"batch table output", []string{"--output", "table", "verify", "--devices-file", "-"}, "1\n", `--output: a batch writes JSON lines`},
		{"batch file without devices", []string{"verify", "--devices-file", "-"}, "# none\n\n", `--devices-file -: no device codes`},
		{"rate without a batch", []string{"verify", "--device", "1", "--rate", "5"}, "", `--rate: only with --devices-file`},
		{"batch file missing", []string{"verify", "--devices-file", filepath.Join(dir, "nope.txt")}, "", `--devices-file: open`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startCounting(t, failureEnvelope)
			got := runCLI(t, tt.stdin, append([]string{"--base-url", srv.URL}, tt.args...)...)
			if got.code != exitUsage {
				t.Errorf("exit code %d, want %d\nstderr: %s", got.code, exitUsage, got.stderr)
			}
			if !strings.Contains(got.stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, got.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout is not empty: %q", got.stdout)
			}
			if n := srv.requests.Load(); n != 0 {
				t.Errorf("the server received %d requests, want none", n)
			}
		})
	}
}

// TestHelpShowsExamples: `vshop --help` and every command's --help show examples.
func TestHelpShowsExamples(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Name() != "help" {
				walk(sub, append(append([]string{}, path...), sub.Name()))
			}
		}
	}
	walk(newRootCommand(&app{}), nil)
	if len(paths) != 15 {
		t.Errorf("found %d commands, want 15: %v", len(paths), paths)
	}
	for _, path := range paths {
		got := runCLI(t, "", append(path, "--help")...)
		if got.code != exitOK || !strings.Contains(got.stdout, "Examples:\n") {
			t.Errorf("vshop %s --help: exit %d, no examples:\n%s", strings.Join(path, " "), got.code, got.stdout)
		}
	}
}
