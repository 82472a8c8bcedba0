package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/vshop-go/vshop/vshoptest"
)

// goodCards returns the sandbox's Linksfield cards that every read-only operation accepts.
func goodCards(t *testing.T) []string {
	t.Helper()
	var cards []string
	for _, c := range newSandbox(t).Cards() {
		if c.Linksfield && c.ICCID != vshoptest.CardDeactivated && c.ICCID != vshoptest.CardNoPartner {
			cards = append(cards, c.ICCID)
		}
	}
	return cards
}

// devicesFile writes n device lines (cycling through cards) after a comment and a blank line, so
// that input line numbers are not list indexes, and returns the file and the line number of each
// device line.
func devicesFile(t *testing.T, dir string, n int, cards []string) (string, map[int]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# cards\n\n")
	lines := map[int]string{}
	for i := range n {
		lines[i+3] = cards[i%len(cards)]
		b.WriteString(cards[i%len(cards)] + "\n")
	}
	p := filepath.Join(dir, "cards.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, lines
}

// outLines reads a --out file as an outsider: each line must be a whole JSON object with a line
// number, a device and either data or an error. It returns how often each line number occurs and
// the line numbers answered with an error.
func outLines(t *testing.T, path string) (seen map[int]int, failed map[int]bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s ends with a partial line: %q", path, b[max(0, len(b)-60):])
	}
	seen, failed = map[int]int{}, map[int]bool{}
	for i, s := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if s == "" {
			continue
		}
		var l map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("%s line %d is not JSON: %v: %q", path, i+1, err, s)
		}
		var n int
		if err := json.Unmarshal(l["line"], &n); err != nil || n <= 0 || l["device"] == nil || (l["data"] == nil) == (l["error"] == nil) {
			t.Fatalf("%s line %d is not a batch line: %q", path, i+1, s)
		}
		seen[n]++
		if l["error"] != nil {
			failed[n] = true
		}
	}
	return seen, failed
}

// TestResumeAfterSignals is acceptance point 1 of issue 13, through the built binary and real
// signals: a batch of 3,000 lines with --out is stopped by SIGINT midway, its resumption by SIGTERM,
// and a second --resume finishes it. The file then holds every input line number exactly once, and
// the sandbox (counted by a wrapping handler) received at most 3,000 + 2 × --concurrency requests: a
// request cancelled in flight by each signal may have arrived without its answer being kept.
func TestResumeAfterSignals(t *testing.T) {
	bin := buildBinary(t)
	sb := newSandbox(t)
	var requests atomic.Int64
	var mu sync.Mutex
	signalAt, signal, proc := int64(0), os.Signal(nil), (*os.Process)(nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		mu.Lock()
		if n == signalAt && proc != nil {
			proc.Signal(signal)
		}
		mu.Unlock()
		sb.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()

	dir := t.TempDir()
	const total, concurrency = 3000, 4
	file, want := devicesFile(t, dir, total, goodCards(t))
	out := filepath.Join(dir, "results.jsonl")
	args := []string{"--base-url", srv.URL, "--partner-code", testPartner, "verify", "--devices-file", file,
		"--out", out, "--rate", "0", "--concurrency", fmt.Sprint(concurrency)}
	runBin := func(at int64, sig os.Signal, extra ...string) (int, string) {
		cmd := exec.Command(bin, append(args, extra...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		signalAt, signal, proc = at, sig, cmd.Process
		mu.Unlock()
		err := cmd.Wait()
		mu.Lock()
		proc = nil
		mu.Unlock()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), stderr.String()
	}

	code, stderr := runBin(1500, syscall.SIGINT)
	first, _ := outLines(t, out)
	if code != exitInterrupted || !strings.Contains(stderr, "--resume") {
		t.Fatalf("SIGINT: exit %d, want %d and a hint to --resume\nstderr: %s", code, exitInterrupted, stderr)
	}
	afterFirst := requests.Load()
	if lost := afterFirst - int64(len(first)); lost > concurrency {
		t.Errorf("SIGINT: %d requests sent, %d lines kept: %d lost, want at most --concurrency %d", afterFirst, len(first), lost, concurrency)
	}
	code, stderr = runBin(afterFirst+700, syscall.SIGTERM, "--resume")
	second, _ := outLines(t, out)
	afterSecond := requests.Load()
	if code != exitInterrupted {
		t.Fatalf("SIGTERM: exit %d, want %d\nstderr: %s", code, exitInterrupted, stderr)
	}
	code, stderr = runBin(-1, nil, "--resume")
	if code != exitOK {
		t.Fatalf("last --resume: exit %d\nstderr: %s", code, stderr)
	}
	wantSummary := fmt.Sprintf("%d devices: %d done before, %d now (%d ok, 0 failed) in ", total, len(second), total-len(second), total-len(second))
	if !strings.Contains(stderr, wantSummary) {
		t.Errorf("the last summary lacks %q:\n%s", wantSummary, stderr)
	}
	seen, failed := outLines(t, out)
	for n := range want {
		if seen[n] != 1 {
			t.Errorf("input line %d is answered %d times, want once", n, seen[n])
		}
	}
	if len(seen) != total || len(failed) != 0 {
		t.Errorf("%d line numbers in the file (%d failed), want %d (none failed)", len(seen), len(failed), total)
	}
	got := requests.Load()
	if limit := int64(total + 2*concurrency); got > limit {
		t.Errorf("the sandbox received %d requests, want at most %d", got, limit)
	}
	t.Logf("3000 lines, --concurrency %d: SIGINT: %d requests, %d lines kept; SIGTERM (--resume): %d requests, %d lines in all; last --resume: %d requests; %d requests in all (limit %d), every line number once",
		concurrency, afterFirst, len(first), afterSecond-afterFirst, len(second), got-afterSecond, got, total+2*concurrency)
}

// flakyMall answers like the sandbox, except that while failing is set it answers a failure envelope
// for the devices in fail. It counts the requests about each device.
type flakyMall struct {
	next    http.Handler
	fail    map[string]bool
	failing atomic.Bool

	mu       sync.Mutex
	requests map[string]int
}

func (m *flakyMall) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		DeviceCode string `json:"deviceCode"`
	}
	json.Unmarshal(body, &req)
	m.mu.Lock()
	m.requests[req.DeviceCode]++
	m.mu.Unlock()
	if m.failing.Load() && m.fail[req.DeviceCode] {
		failureEnvelope(w, r)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	m.next.ServeHTTP(w, r)
}

// total is the number of requests received.
func (m *flakyMall) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.requests {
		n += c
	}
	return n
}

// TestRetryFailed is acceptance point 2 of issue 13: after a run in which some lines failed,
// --retry-failed sends only those lines again, and replaces their answers.
func TestRetryFailed(t *testing.T) {
	cards := goodCards(t)
	m := &flakyMall{next: newSandbox(t).Handler(), fail: map[string]bool{cards[1]: true}, requests: map[string]int{}}
	m.failing.Store(true)
	srv := httptest.NewServer(m)
	defer srv.Close()
	dir := t.TempDir()
	const total = 200
	file, want := devicesFile(t, dir, total, cards)
	wantFailed := 0
	for _, d := range want {
		if m.fail[d] {
			wantFailed++
		}
	}
	out := filepath.Join(dir, "out.jsonl")
	args := []string{"--base-url", srv.URL, "orders", "list", "--devices-file", file, "--out", out, "--rate", "0"}

	got := runCLI(t, "", args...)
	_, failed := outLines(t, out)
	if got.code != exitFailure || len(failed) != wantFailed || m.total() != total {
		t.Fatalf("first run: exit %d, %d failed lines, %d requests; want 1, %d, %d\nstderr: %s",
			got.code, len(failed), m.total(), wantFailed, total, got.stderr)
	}

	m.failing.Store(false)
	got = runCLI(t, "", append(args, "--retry-failed")...)
	sent := m.total() - total
	seen, failedNow := outLines(t, out)
	if got.code != exitOK {
		t.Errorf("--retry-failed: exit %d\nstderr: %s", got.code, got.stderr)
	}
	if sent != wantFailed || m.requests[cards[1]] != 2*wantFailed {
		t.Errorf("--retry-failed sent %d requests (%d about the failed card), want %d, all about it", sent, m.requests[cards[1]]-wantFailed, wantFailed)
	}
	if len(seen) != total || len(failedNow) != 0 {
		t.Errorf("after --retry-failed: %d line numbers, %d failed; want %d, 0", len(seen), len(failedNow), total)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("line %d answered %d times", n, c)
		}
	}
	wantSummary := fmt.Sprintf("%d devices: %d done before, %d now (%d ok, 0 failed)", total, total-wantFailed, wantFailed, wantFailed)
	if !strings.Contains(got.stderr, wantSummary) {
		t.Errorf("summary lacks %q:\n%s", wantSummary, got.stderr)
	}
	t.Logf("first run: %d requests, %d failed; --retry-failed: %d requests, %s", total, wantFailed, sent, strings.TrimSpace(got.stderr))

	// Nothing left: both flags send nothing.
	got = runCLI(t, "", append(args, "--retry-failed", "--resume")...)
	if got.code != exitOK || m.total() != total+wantFailed {
		t.Errorf("nothing to do: exit %d, %d more requests\nstderr: %s", got.code, m.total()-total-wantFailed, got.stderr)
	}
}

// TestOutFileRefusals: --out refuses to overwrite a file, and --resume refuses a file that answers
// another input; the resume flags need --out. Nothing is sent.
func TestOutFileRefusals(t *testing.T) {
	dir := t.TempDir()
	cards := goodCards(t)
	file, _ := devicesFile(t, dir, 10, cards)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	existing := write("existing.jsonl", `{"line":3,"device":"`+cards[0]+`","data":null}`+"\n")
	other := write("other.jsonl", `{"line":3,"device":"1234","data":null}`+"\n")
	garbage := write("garbage.jsonl", "hello\n")
	twice := write("twice.jsonl", strings.Repeat(`{"line":3,"device":"`+cards[0]+`","data":null}`+"\n", 2))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"existing file", []string{"--out", existing}, "exists and is not empty"},
		{"another input", []string{"--out", other, "--resume"}, `line 1: answers input line 3 for device "1234"`},
		{"not batch lines", []string{"--out", garbage, "--resume"}, "line 1: not a line of a vshop batch"},
		{"a line twice", []string{"--out", twice, "--resume"}, "line 2: answers input line 3 twice"},
		{"resume without out", []string{"--resume"}, "need --out FILE"},
		{"retry without out", []string{"--retry-failed"}, "need --out FILE"},
		{"out without batch", []string{"--out", filepath.Join(dir, "x")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startCounting(t, failureEnvelope)
			args := append([]string{"--base-url", srv.URL, "verify", "--devices-file", file}, tt.args...)
			if tt.want == "" {
				args = append([]string{"--base-url", srv.URL, "verify", "--device", cards[0]}, tt.args...)
				tt.want = "--out: only with --devices-file"
			}
			got := runCLI(t, "", args...)
			if got.code != exitUsage || !strings.Contains(got.stderr, tt.want) || srv.requests.Load() != 0 {
				t.Errorf("exit %d, %d requests, stderr %q; want 2, none, %q", got.code, srv.requests.Load(), got.stderr, tt.want)
			}
		})
	}
}

// fullDisk is a file that takes limit bytes and then fails like a full disk: the write that crosses
// the limit writes part of its bytes and returns ENOSPC.
type fullDisk struct {
	*os.File
	limit int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= f.limit {
		f.limit -= len(p)
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:f.limit])
	f.limit = 0
	return n, syscall.ENOSPC
}

// TestOutFileFullDisk: when the disk fills up in the middle of a line, the batch stops with the
// write error and the file keeps whole lines only; against a real full device (/dev/full) the
// command exits 4, the local I/O code, not the network one.
func TestOutFileFullDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := &batch{concurrency: 2, out: &lineFile{f: &fullDisk{File: f, limit: 1000}},
		call: func(_ context.Context, d string) ([]byte, error) { return []byte(`{"status":"valid"}`), nil }}
	devices := make([]string, 100)
	for i := range devices {
		devices[i] = "89852420180910340793"
	}
	sum, err := b.run(context.Background(), numbered(devices...))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("err %v, want ENOSPC", err)
	}
	seen, _ := outLines(t, path)
	if len(seen) != sum.ok || sum.ok == 0 || sum.ok >= 100 {
		t.Errorf("%d whole lines in the file, %d counted ok; want the same, some but not all", len(seen), sum.ok)
	}

	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	srv := httptest.NewServer(newSandbox(t).Handler())
	defer srv.Close()
	got := runCLI(t, goodCards(t)[0]+"\n", "--base-url", srv.URL, "verify", "--devices-file", "-", "--out", "/dev/full")
	if got.code != exitLocalIO || !strings.Contains(got.stderr, "writing /dev/full") {
		t.Errorf("--out /dev/full: exit %d, want %d\nstderr: %s", got.code, exitLocalIO, got.stderr)
	}
}
