package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"golang.org/x/time/rate"

	"github.com/vshop-go/vshop"
)

// Batch defaults and limits: a few requests at a time, at a pace a partner account is unlikely to
// be refused for.
const (
	defaultConcurrency = 4
	maxConcurrency     = 64
	defaultRate        = 10  // calls per second
	minRate            = 0.1 // calls per second: one every 10 s; below that a batch looks hung
	// maxDevicesFile bounds --devices-file: about three million device codes.
	maxDevicesFile = 64 << 20
	// maxLine bounds one line of --devices-file or --out.
	maxLine = 16 << 20
)

// batchHelp is appended to the help of every command that takes --devices-file.
const batchHelp = `

Batches: --devices-file FILE makes the call for every device code in FILE (one per line; blank lines
and lines starting with # are skipped; a UTF-8 BOM is ignored; "-" reads stdin), --concurrency at a
time and at most --rate calls per second (0: no limit; otherwise at least 0.1). The output gets one
JSON line per device line, in the order the calls complete, with the input line number:

  {"line":3,"device":"89852420180910340793","data":{...}}
  {"line":4,"device":"12ab","error":{"message":"must be digits (an ICCID or IMEI), got \"12ab\""}}
  {"line":7,"device":"89000000000000000000","error":{"message":"...","operateCode":"F","status":404}}

A line that is not a device code is reported as an error on its line and never sent; one card's
failure does not stop the others. --rate counts calls: a read-only call that the client retries
(after a network error, 429 or 5xx) sends more than one request.

--out FILE writes the lines to FILE instead of stdout (it must not exist yet, or be empty). After an
interruption, the same command with --resume sends only the lines FILE does not answer yet and
appends their answers; --retry-failed sends again only the lines FILE answers with an error, and
replaces those answers (with both flags, both). FILE only ever holds whole lines, through Ctrl-C,
SIGTERM and a full disk. On a terminal stderr shows a progress bar (done/total, rate, ETA, failures);
at the end a one-line summary. Exit code: 0 when every line succeeded, 1 when any failed, 130 when
interrupted, 4 when FILE or stdout could not be written, 2 for bad usage.`

// batchFlags are the flags that turn a one-device command into a batch.
type batchFlags struct {
	file, out           string
	concurrency         int
	rate                float64
	resume, retryFailed bool
}

// register adds the batch flags to cmd.
func (b *batchFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&b.file, "devices-file", "", `make the call for every device code in this file, one per line ("-" for stdin)`)
	f.IntVar(&b.concurrency, "concurrency", defaultConcurrency, fmt.Sprintf("with --devices-file: calls in flight at once, 1 to %d", maxConcurrency))
	f.Float64Var(&b.rate, "rate", defaultRate, fmt.Sprintf("with --devices-file: at most this many calls per second, at least %v (0: no limit)", minRate))
	f.StringVar(&b.out, "out", "", "with --devices-file: write the JSON lines to this file instead of stdout")
	f.BoolVar(&b.resume, "resume", false, "with --out: send only the lines the file does not answer yet, and append")
	f.BoolVar(&b.retryFailed, "retry-failed", false, "with --out: send again only the lines the file answers with an error, and replace them")
}

// deviceCall makes one call about device and returns the answer's data as JSON.
type deviceCall func(ctx context.Context, c *apiClient, device string) ([]byte, error)

// inputLine is one device line of --devices-file.
type inputLine struct {
	n      int    // its line number, from 1, counting every line of the file
	device string // its text, trimmed
}

// forDevices runs call for --device and prints its data, or, with --devices-file, for every device
// of the file as a batch.
func (a *app) forDevices(cmd *cobra.Command, device string, b *batchFlags, call deviceCall) error {
	if b.file == "" {
		for _, name := range []string{"concurrency", "rate", "out", "resume", "retry-failed"} {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s: only with --devices-file", name)
			}
		}
		if device == "" {
			return usageErrorf("--device: required: the card's ICCID (or the device's IMEI), digits only; or --devices-file FILE for many")
		}
		if err := checkDevice("--device", device); err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		data, err := call(cmd.Context(), c, device)
		if err != nil {
			return err
		}
		return a.printData(data)
	}
	switch {
	case device != "":
		return usageErrorf("--device and --devices-file: give one or the other")
	case a.output.value() == "table":
		return usageErrorf("--output: a batch writes JSON lines; table is not available with --devices-file")
	case b.concurrency < 1 || b.concurrency > maxConcurrency:
		return usageErrorf("--concurrency: must be 1 to %d, got %d", maxConcurrency, b.concurrency)
	case math.IsNaN(b.rate) || math.IsInf(b.rate, 0) || b.rate < 0 || (b.rate > 0 && b.rate < minRate):
		return usageErrorf("--rate: must be a number of calls per second, at least %v, or 0 for no limit; got %v", minRate, b.rate)
	case (b.resume || b.retryFailed) && b.out == "":
		return usageErrorf("--resume and --retry-failed: need --out FILE, the file of the run to continue")
	case b.out != "" && b.out == b.file:
		return usageErrorf("--out: the same file as --devices-file")
	}
	lines, err := readDevices(b.file, a.stdin)
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	run := &batch{
		concurrency: b.concurrency,
		rate:        b.rate,
		call:        func(ctx context.Context, device string) ([]byte, error) { return call(ctx, c, device) },
		out:         a.stdout,
		total:       len(lines),
	}
	todo := lines
	if b.out != "" {
		f, prior, err := openOut(b.out, lines, b.resume, b.retryFailed)
		if err != nil {
			return err
		}
		defer f.close()
		run.out, run.before = f, prior.kept
		todo = prior.todo
	}
	run.progress = progressFor(run.out, a.stderr)
	sum, err := run.run(cmd.Context(), todo)
	fmt.Fprintf(a.stderr, "vshop: %s\n", sum)
	where := "stdout"
	if b.out != "" {
		where = b.out
	}
	switch {
	case err != nil:
		return localIOError("writing "+where, err)
	case sum.interrupted && b.out != "":
		return &exitError{code: exitInterrupted, err: errors.New("interrupted: run the same command with --resume to do the rest")}
	case sum.interrupted:
		return &exitError{code: exitInterrupted, err: errors.New("interrupted (with --out FILE a batch can be resumed)")}
	case sum.failed > 0:
		return &exitError{code: exitFailure, err: fmt.Errorf("%d of %d devices failed: see their error lines in %s", sum.failed, sum.ok+sum.failed, where)}
	}
	return nil
}

// readDevices reads the device lines of the file name ("-" is stdin): blank lines and lines
// starting with # are skipped, a UTF-8 BOM is ignored. Codes are not checked here: a bad one gets
// its own error line. A file that is too large or not UTF-8 is refused as a whole.
func readDevices(name string, stdin io.Reader) ([]inputLine, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErrorf("--devices-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	var lines []inputLine
	sc := bufio.NewScanner(&limitedReader{r: r, left: maxDevicesFile})
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Bytes()
		if n == 1 {
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		if !utf8.Valid(text) {
			return nil, usageErrorf("--devices-file %s: line %d: not valid UTF-8: %q", name, n, text)
		}
		line := strings.TrimSpace(string(text))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, inputLine{n: n, device: line})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, errTooLarge) || errors.Is(err, bufio.ErrTooLong) {
			return nil, usageErrorf("--devices-file %s: after line %d: %v (at most %d MiB, %d MiB a line)", name, n, err, maxDevicesFile>>20, maxLine>>20)
		}
		return nil, localIOError("--devices-file "+name, err)
	}
	if len(lines) == 0 {
		return nil, usageErrorf("--devices-file %s: no device codes (one per line; blank lines and # comments are skipped)", name)
	}
	return lines, nil
}

// errTooLarge is the error of a limitedReader past its limit.
var errTooLarge = errors.New("the input is too large")

// limitedReader reads from r until left bytes are used, then fails with errTooLarge (io.LimitReader
// would end silently, as if the input ended there).
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return l.r.Read(p[:0])
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// batch makes one call per input line, concurrency at a time and at most rate calls per second, and
// writes one JSON line per input line to out as each completes.
type batch struct {
	concurrency int
	rate        float64 // calls per second; 0 means no limit
	call        func(ctx context.Context, device string) ([]byte, error)
	out         io.Writer    // each line goes out in one Write
	progress    *progressBar // nil: no progress bar
	total       int          // lines of the input; 0: those given to run
	before      int          // lines answered by an earlier run (--resume, --retry-failed)

	mu       sync.Mutex // guards what follows, and writing to out
	sum      batchSummary
	writeErr error
}

// batchLine is one line of a batch's output: the input line number, the device and either the data
// of its answer or its error.
type batchLine struct {
	Line   int             `json:"line"`
	Device string          `json:"device"`
	Data   json.RawMessage `json:"data,omitempty"`
	Error  *batchError     `json:"error,omitempty"`
}

// batchError is the error of one device: the message, and the operateCode and HTTP status when the
// service answered.
type batchError struct {
	Message     string `json:"message"`
	OperateCode string `json:"operateCode,omitempty"`
	Status      int    `json:"status,omitempty"`
}

// batchSummary counts the outcome of a batch.
type batchSummary struct {
	total       int // device lines of the input
	before      int // answered by an earlier run and kept
	ok, failed  int // answered by this run
	interrupted bool
	elapsed     time.Duration
}

// String reads "2000 devices: 1890 ok, 110 failed in 3.2s (625 devices/s)", or with an earlier run
// "2000 devices: 1200 done before, 800 now (790 ok, 10 failed) in ...", plus how many are not done.
// The rate counts the devices this run answered.
func (s batchSummary) String() string {
	var b strings.Builder
	if s.interrupted {
		b.WriteString("interrupted: ")
	}
	if s.before == 0 {
		fmt.Fprintf(&b, "%s: %d ok, %d failed", count(s.total, "device"), s.ok, s.failed)
	} else {
		fmt.Fprintf(&b, "%s: %d done before, %d now (%d ok, %d failed)", count(s.total, "device"), s.before, s.ok+s.failed, s.ok, s.failed)
	}
	if notDone := s.total - s.before - s.ok - s.failed; notDone > 0 {
		fmt.Fprintf(&b, ", %d not done", notDone)
	}
	fmt.Fprintf(&b, " in %v", s.elapsed.Round(time.Millisecond))
	if secs := s.elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(&b, " (%.0f devices/s)", float64(s.ok+s.failed)/secs)
	}
	return b.String()
}

// run processes lines until all are done or ctx is cancelled. A call cancelled with ctx writes no
// line; a write error on out stops the batch and is returned.
func (b *batch) run(ctx context.Context, lines []inputLine) (batchSummary, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.sum = batchSummary{total: b.total, before: b.before}
	if b.total == 0 {
		b.sum.total = len(lines)
	}
	limiter := rate.NewLimiter(rate.Inf, 0)
	if b.rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(b.rate), 1)
	}
	report := func(l inputLine, data []byte, err error) {
		if !b.emit(l, data, err, start) {
			cancel()
		}
	}

	jobs := make(chan inputLine)
	var wg sync.WaitGroup
	for range b.concurrency {
		wg.Go(func() {
			for l := range jobs {
				if limiter.Wait(ctx) != nil {
					continue // cancelled while waiting for its turn: not done
				}
				data, err := b.call(ctx, l.device)
				if err != nil && ctx.Err() != nil {
					continue // cancelled in flight: not done
				}
				report(l, data, err)
			}
		})
	}
feed:
	for _, l := range lines {
		if ctx.Err() != nil {
			break
		}
		if p := deviceProblem(l.device); p != "" {
			report(l, nil, errors.New(p))
			continue
		}
		select {
		case jobs <- l:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	b.mu.Lock()
	defer b.mu.Unlock()
	b.sum.elapsed = time.Since(start)
	b.sum.interrupted = b.writeErr == nil && b.sum.ok+b.sum.failed < len(lines)
	if b.progress != nil {
		b.progress.clear()
	}
	return b.sum, b.writeErr
}

// emit writes the line of one input line, whole, counts it and updates the progress bar. It reports
// false when the line could not be written: the batch should stop.
func (b *batch) emit(in inputLine, data []byte, err error, start time.Time) bool {
	line := batchLine{Line: in.n, Device: in.device}
	if err != nil {
		line.Error = lineError(err)
	} else {
		line.Data = data
		if len(data) == 0 {
			line.Data = json.RawMessage("null")
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if encErr := enc.Encode(line); encErr != nil { // data that is not JSON: the device's error
		err = fmt.Errorf("the answer's data is not JSON: %w", encErr)
		buf.Reset()
		enc.Encode(batchLine{Line: in.n, Device: in.device, Error: lineError(err)})
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.writeErr != nil {
		return false
	}
	if b.progress != nil {
		b.progress.beforeLine()
	}
	if _, b.writeErr = b.out.Write(buf.Bytes()); b.writeErr != nil {
		return false
	}
	if err != nil {
		b.sum.failed++
	} else {
		b.sum.ok++
	}
	if b.progress != nil {
		b.progress.draw(b.sum, time.Since(start))
	}
	return true
}

// lineError describes err for a batch line: the API's operateCode and status when it answered.
func lineError(err error) *batchError {
	var apiErr *vshop.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		if msg == "" {
			msg = apiErr.Error()
		}
		return &batchError{Message: msg, OperateCode: apiErr.OperateCode, Status: apiErr.StatusCode}
	}
	return &batchError{Message: err.Error()}
}

// progressBar draws a one-line progress bar on a terminal.
type progressBar struct {
	w io.Writer
	// clearLines erases the bar before each result line: set when the results go to the same
	// terminal, so that lines do not run into the bar.
	clearLines bool
	lastDraw   time.Time
}

// progressFor returns a progress bar on stderr when stderr is a terminal, or nil.
func progressFor(out, stderr io.Writer) *progressBar {
	if !isTerminal(stderr) {
		return nil
	}
	return &progressBar{w: stderr, clearLines: isTerminal(out)}
}

// isTerminal reports whether f (a reader or writer) is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// beforeLine makes room for a result line.
func (p *progressBar) beforeLine() {
	if p.clearLines {
		p.clear()
	}
}

// draw shows the progress, at most ten times a second (and always for the last device): done of
// total (earlier runs included), this run's rate, the time left at that rate, and the failures.
func (p *progressBar) draw(s batchSummary, elapsed time.Duration) {
	now := s.ok + s.failed
	done := s.before + now
	if !p.clearLines && done < s.total && time.Since(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = time.Now()
	const width = 30
	filled := width * done / max(s.total, 1)
	perSecond := float64(now) / max(elapsed.Seconds(), 1e-9)
	eta := "-"
	if now > 0 {
		eta = time.Duration(float64(s.total-done) / perSecond * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d  %.1f/s  ETA %s  failed %d", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), done, s.total, perSecond, eta, s.failed)
}

// clear erases the bar's line.
func (p *progressBar) clear() { fmt.Fprint(p.w, "\r\033[K") }
