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

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"golang.org/x/time/rate"

	"github.com/vshop-go/vshop"
)

// Batch defaults: a few requests at a time, at a pace a partner account is unlikely to be refused for.
const (
	defaultConcurrency = 4
	maxConcurrency     = 64
	defaultRate        = 10 // requests per second
)

// batchHelp is appended to the help of every command that takes --devices-file.
const batchHelp = `

Batches: --devices-file FILE makes the call for every device code in FILE (one per line; blank lines
and lines starting with # are skipped; "-" reads stdin), --concurrency at a time and at most --rate
calls per second (0: no limit). stdout gets one JSON line per device, in the order the calls complete
(not the order of the file):

  {"device":"89852420180910340793","data":{...}}
  {"device":"12ab","error":{"message":"must be digits (an ICCID or IMEI), got \"12ab\""}}
  {"device":"89000000000000000000","error":{"message":"...","operateCode":"F","status":404}}

A device code that is not digits is reported on its line and never sent; one card's failure does not
stop the others. --rate counts calls: a read-only call that the client retries (after a network
error, 429 or 5xx) sends more than one request. stderr shows a progress bar when it is a terminal, and a summary at the end (ok,
failed, elapsed). Ctrl-C stops the batch: calls in flight are cancelled, every line already written is
complete, the summary says how many devices were not done. Exit code: 0 when every device succeeded,
1 when any failed, 130 when interrupted, 2 for bad usage.`

// batchFlags are the flags that turn a one-device command into a batch.
type batchFlags struct {
	file        string
	concurrency int
	rate        float64
}

// register adds the batch flags to cmd.
func (b *batchFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&b.file, "devices-file", "", `make the call for every device code in this file, one per line ("-" for stdin)`)
	f.IntVar(&b.concurrency, "concurrency", defaultConcurrency, fmt.Sprintf("with --devices-file: calls in flight at once, 1 to %d", maxConcurrency))
	f.Float64Var(&b.rate, "rate", defaultRate, "with --devices-file: at most this many calls per second (0: no limit)")
}

// deviceCall makes one call about device and returns the answer's data.
type deviceCall func(ctx context.Context, c *vshop.Client, device string) (json.RawMessage, error)

// forDevices runs call for --device and prints its data, or, with --devices-file, for every device
// of the file as a batch.
func (a *app) forDevices(cmd *cobra.Command, device string, b *batchFlags, call deviceCall) error {
	if b.file == "" {
		for _, name := range []string{"concurrency", "rate"} {
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
		c, err := a.client(1)
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
	case !(b.rate >= 0) || math.IsInf(b.rate, 0):
		return usageErrorf("--rate: must be a number of calls per second, 0 or more (0: no limit), got %v", b.rate)
	}
	devices, err := readDevices(b.file, a.stdin)
	if err != nil {
		return err
	}
	c, err := a.client(b.concurrency)
	if err != nil {
		return err
	}
	run := &batch{
		concurrency: b.concurrency,
		rate:        b.rate,
		call:        func(ctx context.Context, device string) (json.RawMessage, error) { return call(ctx, c, device) },
		out:         a.stdout,
		progress:    progressFor(a.stdout, a.stderr),
	}
	sum, err := run.run(cmd.Context(), devices)
	fmt.Fprintf(a.stderr, "vshop: %s\n", sum)
	switch {
	case err != nil:
		return fmt.Errorf("writing the results: %w", err)
	case sum.interrupted:
		return &exitError{code: exitInterrupted, err: errors.New("interrupted")}
	case sum.failed > 0:
		return &exitError{code: exitFailure, err: fmt.Errorf("%d of %d devices failed: see their error lines on stdout", sum.failed, sum.total)}
	}
	return nil
}

// readDevices reads the device codes of the file name ("-" is stdin): one per line, blank lines and
// lines starting with # skipped. Codes are not checked here: a bad one gets its own error line.
func readDevices(name string, stdin io.Reader) ([]string, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErrorf("--devices-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	var devices []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		devices = append(devices, line)
	}
	if err := sc.Err(); err != nil {
		return nil, usageErrorf("--devices-file %s: %v", name, err)
	}
	if len(devices) == 0 {
		return nil, usageErrorf("--devices-file %s: no device codes (one per line; blank lines and # comments are skipped)", name)
	}
	return devices, nil
}

// batch makes one call per device, concurrency at a time and at most rate calls per second, and
// writes one JSON line per device to out as each completes.
type batch struct {
	concurrency int
	rate        float64 // calls per second; 0 means no limit
	call        func(ctx context.Context, device string) (json.RawMessage, error)
	out         io.Writer
	progress    *progressBar // nil: no progress bar

	mu       sync.Mutex // guards what follows, and writing to out
	sum      batchSummary
	writeErr error
}

// batchLine is one line of a batch's output: the device and either the data of its answer or its error.
type batchLine struct {
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
	total, ok, failed int
	interrupted       bool
	elapsed           time.Duration
}

// String reads "2000 devices: 1890 ok, 110 failed in 3.2s (625 calls/s)", plus how many were not done
// when the batch was interrupted.
func (s batchSummary) String() string {
	var b strings.Builder
	if s.interrupted {
		b.WriteString("interrupted: ")
	}
	fmt.Fprintf(&b, "%s: %d ok, %d failed", count(s.total, "device"), s.ok, s.failed)
	if notDone := s.total - s.ok - s.failed; notDone > 0 {
		fmt.Fprintf(&b, ", %d not done", notDone)
	}
	fmt.Fprintf(&b, " in %v", s.elapsed.Round(time.Millisecond))
	if secs := s.elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(&b, " (%.0f devices/s)", float64(s.ok+s.failed)/secs)
	}
	return b.String()
}

// run processes devices until all are done or ctx is cancelled. A call cancelled with ctx writes no
// line; a write error on out stops the batch and is returned.
func (b *batch) run(ctx context.Context, devices []string) (batchSummary, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.sum = batchSummary{total: len(devices)}
	limiter := rate.NewLimiter(rate.Inf, 0)
	if b.rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(b.rate), 1)
	}
	report := func(device string, data json.RawMessage, err error) {
		if !b.emit(device, data, err, start) {
			cancel()
		}
	}

	jobs := make(chan string)
	var wg sync.WaitGroup
	for range b.concurrency {
		wg.Go(func() {
			for device := range jobs {
				if limiter.Wait(ctx) != nil {
					continue // cancelled while waiting for its turn: not done
				}
				data, err := b.call(ctx, device)
				if err != nil && ctx.Err() != nil {
					continue // cancelled in flight: not done
				}
				report(device, data, err)
			}
		})
	}
feed:
	for _, device := range devices {
		if p := deviceProblem(device); p != "" {
			report(device, nil, errors.New(p))
			continue
		}
		select {
		case jobs <- device:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	b.mu.Lock()
	defer b.mu.Unlock()
	b.sum.elapsed = time.Since(start)
	b.sum.interrupted = b.writeErr == nil && b.sum.ok+b.sum.failed < b.sum.total
	if b.progress != nil {
		b.progress.clear()
	}
	return b.sum, b.writeErr
}

// emit writes the line of one device, whole, counts it and updates the progress bar. It reports
// false when the line could not be written: the batch should stop.
func (b *batch) emit(device string, data json.RawMessage, err error, start time.Time) bool {
	line := batchLine{Device: device}
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
		enc.Encode(batchLine{Device: device, Error: lineError(err)})
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
	// clearLines erases the bar before each result line: set when stdout is the same terminal, so
	// that lines do not run into the bar.
	clearLines bool
	lastDraw   time.Time
}

// progressFor returns a progress bar on stderr when stderr is a terminal, or nil.
func progressFor(stdout, stderr io.Writer) *progressBar {
	if !isTerminal(stderr) {
		return nil
	}
	return &progressBar{w: stderr, clearLines: isTerminal(stdout)}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// beforeLine makes room for a result line.
func (p *progressBar) beforeLine() {
	if p.clearLines {
		p.clear()
	}
}

// draw shows the progress, at most ten times a second (and always for the last device).
func (p *progressBar) draw(s batchSummary, elapsed time.Duration) {
	done := s.ok + s.failed
	if !p.clearLines && done < s.total && time.Since(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = time.Now()
	const width = 30
	filled := width * done / s.total
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d  ok %d  failed %d  %v", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), done, s.total, s.ok, s.failed, elapsed.Round(100*time.Millisecond))
}

// clear erases the bar's line.
func (p *progressBar) clear() { fmt.Fprint(p.w, "\r\033[K") }
