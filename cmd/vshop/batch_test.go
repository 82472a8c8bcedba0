package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vshop-go/vshop/vshoptest"
)

// meter wraps a handler and measures the load it gets: requests, the most in flight at once, and
// when each arrived.
//
// It also makes the concurrency limit show without depending on timing: each request is held until
// hold requests are in flight at once (or until all the expected requests have arrived, for the last
// ones of a batch), so a client that keeps --concurrency calls in flight reaches exactly that many,
// however slowly a loaded machine delivers them. A barrier that does not fill within holdTimeout
// releases its requests and the meter stops holding: the test then fails on the most in flight
// instead of hanging. After the barrier each request still takes delay, so that a request beyond the
// limit overlaps with the held ones and shows in the most in flight.
type meter struct {
	next        http.Handler
	hold        int // requests to hold until this many are in flight at once; 0: no holding
	expected    int // requests the test will send: the last ones are not held for company that never comes
	holdTimeout time.Duration
	delay       time.Duration

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	arrivals    []time.Time
	full        chan struct{} // closed when the current barrier fills
	gaveUp      bool          // a barrier timed out: hold no more
}

func (m *meter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.inFlight++
	m.maxInFlight = max(m.maxInFlight, m.inFlight)
	m.arrivals = append(m.arrivals, time.Now())
	if m.full == nil {
		m.full = make(chan struct{})
	}
	full := m.full
	if m.inFlight >= m.hold || len(m.arrivals) >= m.expected {
		close(full) // this barrier is full: release it, and start the next
		m.full = nil
	}
	holding := m.hold > 0 && !m.gaveUp
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.inFlight--
		m.mu.Unlock()
	}()
	if holding {
		timer := time.NewTimer(m.holdTimeout)
		select {
		case <-full:
		case <-timer.C:
			m.mu.Lock()
			m.gaveUp = true
			m.mu.Unlock()
		case <-r.Context().Done():
		}
		timer.Stop()
	}
	time.Sleep(m.delay)
	m.next.ServeHTTP(w, r)
}

// load returns the requests received, the most in flight at once, the most that arrived within any
// window of length d, and the average rate from the first arrival to the last; and whether a barrier
// timed out.
func (m *meter) load(d time.Duration) (requests, maxInFlight, maxInWindow int, perSecond float64, gaveUp bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := slices.Clone(m.arrivals)
	slices.SortFunc(t, func(a, b time.Time) int { return a.Compare(b) })
	for i, j := 0, 0; i < len(t); i++ {
		for j < len(t) && t[j].Sub(t[i]) < d {
			j++
		}
		maxInWindow = max(maxInWindow, j-i)
	}
	if len(t) > 1 {
		perSecond = float64(len(t)-1) / t[len(t)-1].Sub(t[0]).Seconds()
	}
	return len(t), m.maxInFlight, maxInWindow, perSecond, m.gaveUp
}

// newSandbox returns a fresh sandbox.
func newSandbox(t *testing.T) *vshoptest.Server {
	t.Helper()
	return vshoptest.NewServer(t)
}

// startMeteredSandbox serves sb behind a meter on a loopback port. The meter holds each request until
// hold are in flight at once (see [meter]); expected is the number of requests the test will send.
func startMeteredSandbox(t *testing.T, sb *vshoptest.Server, hold, expected int) (*meter, string) {
	t.Helper()
	m := &meter{next: sb.Handler(), hold: hold, expected: expected, holdTimeout: 5 * time.Second, delay: time.Millisecond}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return m, srv.URL
}

// writeDevices writes a devices file: the devices, with a comment and blank lines among them.
func writeDevices(t *testing.T, devices []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# devices for the test\n\n")
	for i, d := range devices {
		b.WriteString(d + "\n")
		if i%100 == 0 {
			b.WriteString("   \n# a comment\n")
		}
	}
	p := filepath.Join(t.TempDir(), "devices.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// parseLines checks that out is whole JSON lines, one per device, and returns them by device.
func parseLines(t *testing.T, out string) map[string][]batchLine {
	t.Helper()
	if out != "" && !strings.HasSuffix(out, "\n") {
		t.Errorf("the output ends with a partial line: %q", out[max(0, len(out)-80):])
	}
	lines := map[string][]batchLine{}
	for _, s := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if s == "" {
			continue
		}
		var l batchLine
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, s)
		}
		if (l.Data == nil) == (l.Error == nil) {
			t.Errorf("want either data or error: %s", s)
		}
		lines[l.Device] = append(lines[l.Device], l)
	}
	return lines
}

// TestBatch2000 lists the auto-renewals of 2,000 devices (valid cards, unknown ones, codes with
// letters) from a file against the sandbox: one line per device, each failure on its own line, codes
// with letters never sent, at most --concurrency requests in flight.
func TestBatch2000(t *testing.T) {
	sb := newSandbox(t)
	var devices []string
	wantFail := map[string]string{} // device -> part of its error message
	cards := sb.Cards()
	invalid := 0
	for i := range 2000 {
		switch {
		case i%10 == 0:
			d := fmt.Sprintf("%dab", i)
			devices, wantFail[d] = append(devices, d), "must be digits"
			invalid++
		case i%10 == 1:
			d := fmt.Sprintf("99%018d", i)
			devices, wantFail[d] = append(devices, d), "unknown"
		default:
			devices = append(devices, cards[i%len(cards)].ICCID)
		}
	}
	for _, c := range cards {
		if !c.Linksfield || c.ICCID == vshoptest.CardDeactivated || c.ICCID == vshoptest.CardNoPartner {
			wantFail[c.ICCID] = ""
		}
	}
	file := writeDevices(t, devices)
	m, base := startMeteredSandbox(t, sb, defaultConcurrency, len(devices)-invalid)

	start := time.Now()
	got := runCLI(t, "", "--base-url", base, "auto-renewals", "list", "--devices-file", file, "--rate", "0")
	elapsed := time.Since(start)

	if got.code != exitFailure {
		t.Errorf("exit code %d, want 1 (some devices failed)\nstderr: %s", got.code, got.stderr)
	}
	lines := parseLines(t, got.stdout)
	seen := 0
	want := map[string]int{}
	for _, d := range devices {
		want[d]++
	}
	for d, n := range want {
		ls := lines[d]
		seen += len(ls)
		if len(ls) != n {
			t.Errorf("device %s: %d lines, want %d", d, len(ls), n)
			continue
		}
		msg, fails := wantFail[d]
		for _, l := range ls {
			switch {
			case fails && l.Error == nil:
				t.Errorf("device %s: want an error, got data %s", d, l.Data)
			case fails && !strings.Contains(l.Error.Message, msg):
				t.Errorf("device %s: error %q does not say %q", d, l.Error.Message, msg)
			case fails && msg != "must be digits" && (l.Error.Status < 400 || l.Error.OperateCode != "F"):
				t.Errorf("device %s: want the answer's status and operateCode, got %+v", d, l.Error)
			case !fails && l.Error != nil:
				t.Errorf("device %s: unexpected error %+v", d, l.Error)
			}
		}
	}
	if seen != len(devices) || len(lines) != len(want) {
		t.Errorf("%d lines for %d devices (%d distinct devices in the output, %d in the input)",
			seen, len(devices), len(lines), len(want))
	}
	requests, maxInFlight, _, perSecond, gaveUp := m.load(time.Second)
	if requests != len(devices)-invalid {
		t.Errorf("the sandbox got %d requests, want %d (codes with letters are never sent)", requests, len(devices)-invalid)
	}
	if maxInFlight != defaultConcurrency {
		t.Errorf("%d requests in flight at most, want %d (the default --concurrency; the meter gave up waiting for them: %v)",
			maxInFlight, defaultConcurrency, gaveUp)
	}
	ok := 0
	for _, ls := range lines {
		for _, l := range ls {
			if l.Error == nil {
				ok++
			}
		}
	}
	wantSummary := fmt.Sprintf("2000 devices: %d ok, %d failed in ", ok, len(devices)-ok)
	if !strings.Contains(got.stderr, wantSummary) {
		t.Errorf("stderr lacks the summary %q:\n%s", wantSummary, got.stderr)
	}
	t.Logf("2000 devices, --concurrency %d --rate 0: %d requests, max %d in flight, %.0f requests/s, elapsed %v",
		defaultConcurrency, requests, maxInFlight, perSecond, elapsed.Round(time.Millisecond))
}

// TestBatchLimits measures what the sandbox sees of --concurrency and --rate: exactly --concurrency
// requests in flight at most (the meter holds requests until that many are in flight, so the limit
// is reached whatever the machine's speed, and a client that exceeds it shows); with --rate, the
// batch takes at least as long as the rate requires and no second gets more requests than the rate
// allows (see the bound below).
func TestBatchLimits(t *testing.T) {
	tests := []struct {
		concurrency, devices int
		rate                 float64
	}{
		{concurrency: 8, rate: 100, devices: 200},
		{concurrency: 2, rate: 0, devices: 200},
		{concurrency: 32, rate: 0, devices: 500},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("concurrency %d rate %v", tt.concurrency, tt.rate), func(t *testing.T) {
			sb := newSandbox(t)
			m, base := startMeteredSandbox(t, sb, tt.concurrency, tt.devices)
			devices := make([]string, tt.devices)
			for i := range devices {
				devices[i] = sb.Cards()[0].ICCID
			}
			start := time.Now()
			got := runCLI(t, strings.Join(devices, "\n"), "--base-url", base, "verify", "--devices-file", "-",
				"--concurrency", fmt.Sprint(tt.concurrency), "--rate", fmt.Sprint(tt.rate))
			elapsed := time.Since(start)
			if got.code != exitOK {
				t.Fatalf("exit code %d\nstderr: %s", got.code, got.stderr)
			}
			if n := len(parseLines(t, got.stdout)[devices[0]]); n != tt.devices {
				t.Errorf("%d lines, want %d", n, tt.devices)
			}
			requests, maxInFlight, maxPerSecond, perSecond, gaveUp := m.load(time.Second)
			if requests != tt.devices {
				t.Errorf("%d requests, want %d", requests, tt.devices)
			}
			if maxInFlight != tt.concurrency {
				t.Errorf("at most %d requests in flight, want %d (the meter gave up waiting for them: %v)", maxInFlight, tt.concurrency, gaveUp)
			}
			if tt.rate > 0 {
				// The limiter (burst 1) lets the calls start no faster than the rate: the batch
				// takes at least (devices-1)/rate.
				if min := time.Duration(float64(tt.devices-1) / tt.rate * float64(time.Second)); elapsed < min {
					t.Errorf("took %v, less than the %v the rate allows", elapsed, min)
				}
				// It schedules at most rate + 1 (its burst) calls within any second. The server sees
				// a call later than the limiter scheduled it, by however long a busy machine takes to
				// run the worker and deliver the request, so calls scheduled before a second can
				// arrive within it; but each worker has at most one call between being scheduled and
				// arriving, so that adds at most --concurrency. One more for the limiter's rounding
				// of durations to nanoseconds.
				if limit := int(tt.rate) + 1 + tt.concurrency + 1; maxPerSecond > limit {
					t.Errorf("%d requests within one second, want at most %d", maxPerSecond, limit)
				}
			}
			t.Logf("%d devices, --concurrency %d --rate %v: max %d in flight, max %d requests in any 1 s, %.0f requests/s, elapsed %v",
				tt.devices, tt.concurrency, tt.rate, maxInFlight, maxPerSecond, perSecond, elapsed.Round(time.Millisecond))
		})
	}
}

// TestBatchInterrupted cancels a batch in the middle: the calls in flight are cancelled, the lines
// already written are whole, the summary says how many were not done, and the exit code is 130.
func TestBatchInterrupted(t *testing.T) {
	sb := vshoptest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	served := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served++
		if served == 50 {
			cancel() // Ctrl-C while requests are in flight
		}
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		sb.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()

	devices := strings.Repeat(sb.Cards()[0].ICCID+"\n", 1000)
	t.Setenv(partnerCodeEnv, testPartner)
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"--base-url", srv.URL, "orders", "list", "--devices-file", "-", "--rate", "0"},
		strings.NewReader(devices), &out, &errOut)
	if code != exitInterrupted {
		t.Errorf("exit code %d, want %d\nstderr: %s", code, exitInterrupted, errOut.String())
	}
	n := len(parseLines(t, out.String())[sb.Cards()[0].ICCID])
	if n == 0 || n >= 1000 {
		t.Errorf("%d lines written, want some but not all", n)
	}
	if want := fmt.Sprintf("interrupted: 1000 devices: %d ok, 0 failed, %d not done", n, 1000-n); !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
	}
}

// TestBatchStopsWhenOutputFails: a batch whose stdout cannot be written (a closed pipe) stops.
func TestBatchStopsWhenOutputFails(t *testing.T) {
	calls := 0
	b := &batch{concurrency: 1, out: failingWriter{}, call: func(context.Context, string) ([]byte, error) {
		calls++
		return []byte(`{}`), nil
	}}
	sum, err := b.run(context.Background(), numbered("1", "2", "3", "4", "5"))
	if err == nil || sum.ok != 0 || calls > 2 {
		t.Errorf("err %v, %d ok, %d calls; want the write error, none ok, the batch stopped", err, sum.ok, calls)
	}
}

// failingWriter fails every write, as a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestProgressBar draws the bar while results come and clears it at the end.
func TestProgressBar(t *testing.T) {
	var bar, out bytes.Buffer
	b := &batch{concurrency: 2, out: &out, progress: &progressBar{w: &bar, clearLines: true},
		call: func(context.Context, string) ([]byte, error) { return nil, nil }}
	if _, err := b.run(context.Background(), numbered("1", "2", "x")); err != nil {
		t.Fatal(err)
	}
	s := bar.String()
	if !regexp.MustCompile(`\[##############################\] 3/3  [0-9.]+/s  ETA 0s  failed 1`).MatchString(s) || !strings.HasSuffix(s, "\r\033[K") {
		t.Errorf("progress bar output: %q", s)
	}
	if lines := parseLines(t, out.String()); string(lines["1"][0].Data) != "null" {
		t.Errorf("absent data: %s, want null", lines["1"][0].Data)
	}
}

// numbered makes input lines 1, 2, ... of devices.
func numbered(devices ...string) []inputLine {
	lines := make([]inputLine, len(devices))
	for i, d := range devices {
		lines[i] = inputLine{n: i + 1, device: d}
	}
	return lines
}

// TestReadDevices skips blank lines, comments and a BOM, trims spaces (and the \r of CRLF files), and
// numbers the lines as the file does.
func TestReadDevices(t *testing.T) {
	got, err := readDevices("-", strings.NewReader("\uFEFF89852420180910340793\r\n# cards\r\n\r\n  12ab  \n#8100000000012000423\n1"))
	want := []inputLine{{1, "89852420180910340793"}, {4, "12ab"}, {6, "1"}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("readDevices = %v, %v; want %v", got, err, want)
	}
	if _, err := readDevices("-", strings.NewReader("# nothing\n\n")); err == nil {
		t.Error("a file without device codes was accepted")
	}
}
