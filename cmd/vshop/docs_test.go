package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// readmeCLI returns the "## The CLI" section of README.md.
func readmeCLI(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## The CLI\n")
	if i < 0 {
		t.Fatal("README.md has no '## The CLI' section")
	}
	s = s[i+len("## The CLI\n"):]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	return s
}

// TestREADMEExitCodes: README's exit-code table is the one `vshop --help` prints, row for row.
func TestREADMEExitCodes(t *testing.T) {
	rows := regexp.MustCompile(`(?m)^\| (\d+) \| (.+) \|$`).FindAllStringSubmatch(readmeCLI(t), -1)
	if len(rows) != len(exitCodes) {
		t.Fatalf("README lists %d exit codes, vshop %d", len(rows), len(exitCodes))
	}
	help := runCLI(t, "", "--help").stdout
	for i, e := range exitCodes {
		if rows[i][1] != fmt.Sprint(e.code) || rows[i][2] != e.meaning {
			t.Errorf("README row %d: %s %q, want %d %q", i, rows[i][1], rows[i][2], e.code, e.meaning)
		}
		if !strings.Contains(help, fmt.Sprintf("  %-4d %s", e.code, e.meaning)) {
			t.Errorf("--help lacks exit code %d", e.code)
		}
	}
}

// examples collects the example commands: the lines of README's CLI ```sh blocks and of every
// command's Example, continuation lines joined, comments dropped.
func examples(t *testing.T) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	add := func(where, text string) {
		text = strings.ReplaceAll(text, "\\\n", " ")
		for _, l := range strings.Split(text, "\n") {
			l = strings.TrimSpace(l)
			if l != "" && !strings.HasPrefix(l, "#") && (strings.Contains(l, "vshop ") || strings.HasPrefix(l, "export ")) {
				found[where] = append(found[where], l)
			}
		}
	}
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readmeCLI(t), -1) {
		add("README.md", block[1])
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add(c.CommandPath()+" --help", c.Example)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand(&app{}))
	return found
}

// fields splits a shell command line into words: single and double quotes, nothing else.
func fields(s string) []string {
	var words []string
	var cur strings.Builder
	quote, inWord := rune(0), false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestExamplesRun is acceptance point 5 of issue 13: every example command of README's CLI section
// and of --help runs against a fresh sandbox and exits 0. Services (--env, --base-url) are replaced
// by the sandbox's URL; a pipe's producer (echo, cut) runs in sh and feeds stdin; what a pipe feeds
// into (grep, jq) is not run; < and > redirect from and to files of a scratch directory that holds
// the files the examples name.
func TestExamplesRun(t *testing.T) {
	dir := t.TempDir()
	cards := strings.Join(goodCards(t), "\n") + "\n"
	fixtures := map[string]string{
		"cards.txt":     cards,
		"customers.csv": strings.ReplaceAll(cards, "\n", ",Jane Doe\n"),
		"body.json":     `{"deviceCode":"89852420180910340793","tradeType":"singleVerify"}`,
		"order.json": `{"deviceCode": "89852420180910340793", "packageCode": "DP20190726001274", "orderNo": "NO2023060915590562022",
			"orderPeriod": "1", "payAmount": "12.36", "payCurrency": "GBP", "payId": "P000000002022",
			"payRst": "SUCCESS", "payResultDate": "2022-06-07 15:10:35", "autoRenewal": "0"}`,
	}
	for name, content := range fixtures {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	total := 0
	for where, lines := range examples(t) {
		for _, line := range lines {
			total++
			t.Run(where+": "+line, func(t *testing.T) {
				t.Setenv(partnerCodeEnv, testPartner)
				t.Setenv(envEnv, "")
				srv := httptest.NewServer(newSandbox(t).Handler())
				defer srv.Close()
				runExample(t, dir, srv.URL, line)
			})
		}
	}
	t.Logf("%d example commands run", total)
	if total < 30 {
		t.Errorf("found only %d examples", total)
	}
}

// runExample runs one example line in dir against the sandbox at base.
func runExample(t *testing.T, dir, base, line string) {
	t.Helper()
	if strings.HasPrefix(line, "export ") {
		k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if k != partnerCodeEnv || v != testPartner {
			t.Errorf("unexpected export %q", line)
		}
		return
	}
	var stdin []byte
	segments := strings.Split(line, " | ")
	for i, seg := range segments {
		if !strings.HasPrefix(strings.TrimSpace(seg), "vshop ") && !strings.HasPrefix(strings.TrimSpace(seg), "go run ./cmd/vshop ") {
			continue
		}
		if i > 0 {
			producer := exec.Command("sh", "-c", strings.Join(segments[:i], " | "))
			producer.Dir = dir
			out, err := producer.Output()
			if err != nil {
				t.Fatalf("%s: %v", strings.Join(segments[:i], " | "), err)
			}
			stdin = out
		}
		words := fields(strings.TrimSuffix(strings.TrimSpace(seg), " &"))
		if words[0] == "go" {
			words = words[2:]
		}
		var args []string
		stdout := new(bytes.Buffer)
		var outFile string
		for j := 1; j < len(words); j++ {
			switch w := words[j]; {
			case w == "<":
				b, err := os.ReadFile(filepath.Join(dir, words[j+1]))
				if err != nil {
					t.Fatal(err)
				}
				stdin, j = b, j+1
			case w == ">":
				outFile, j = filepath.Join(dir, words[j+1]), j+1
			case w == "--env":
				args, j = append(args, "--base-url", base), j+1
			case strings.HasPrefix(w, "--base-url"):
				args = append(args, "--base-url", base)
				if w == "--base-url" {
					j++
				}
			case w == "--addr":
				args, j = append(args, "--addr", "127.0.0.1:0"), j+1
			case w == "--devices-file" || w == "--file" || w == "--out":
				f := words[j+1]
				if f != "-" {
					f = filepath.Join(dir, f)
				}
				args, j = append(args, w, f), j+1
			default:
				args = append(args, w)
			}
		}
		isSandbox := len(args) > 0 && args[0] == "sandbox"
		if isSandbox {
			args = append(args, "--addr", "127.0.0.1:0") // the last --addr wins
		}
		if !strings.Contains(strings.Join(args, " "), "--base-url") {
			args = append([]string{"--base-url", base}, args...) // the default service, UAT: never called from a test
		}
		ctx := context.Background()
		if isSandbox {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond) // Ctrl-C
			defer cancel()
		}
		if strings.Contains(line, "--resume") || strings.Contains(line, "--retry-failed") {
			// the run these continue: the same command without the flag, unless one already ran
			first := strings.NewReplacer(" --resume", "", " --retry-failed", "").Replace(line)
			if _, err := os.Stat(outPath(dir, args)); err != nil {
				runExample(t, dir, base, first)
			}
		} else if p := outPath(dir, args); p != "" {
			os.Remove(p)
		}
		var errOut bytes.Buffer
		code := run(ctx, args, bytes.NewReader(stdin), stdout, &errOut)
		if code != exitOK {
			t.Errorf("vshop %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errOut.String())
		}
		if outFile != "" {
			os.WriteFile(outFile, stdout.Bytes(), 0o600)
		}
		return
	}
	t.Fatalf("no vshop command in %q", line)
}

// outPath is the --out file of args, or "".
func outPath(dir string, args []string) string {
	for i, a := range args {
		if a == "--out" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
