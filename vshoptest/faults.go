package vshoptest

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Fault is an answer the fake gives instead of its own, set with [Server.FailNext] or
// [Server.FailAlways] for one operation. Its parts combine, in this order:
//
//   - Delay: wait this long first (ending early if the client goes away);
//   - Drop: then close the connection without an answer (the client sees EOF or a reset);
//   - otherwise, when OperateCode or Status is set, answer the failure envelope
//     {"operateCode": OperateCode, "message": Message} with HTTP Status (default 200; OperateCode
//     defaults to [FailureCode] and Message to one saying the fault was injected), and the header
//     Retry-After, in whole seconds, when RetryAfter is positive;
//   - otherwise (Delay alone) answer as usual, late.
//
// A fault answers whatever the request was, signed or not, valid or not; the request is recorded in
// [Server.Requests] all the same, with Fault set.
type Fault struct {
	// OperateCode and Message make the envelope of the answer. OperateCode must not be "S".
	OperateCode string
	Message     string
	// Status is the HTTP status of the answer, 100 to 599 (0: 200).
	Status int
	// RetryAfter, when positive, is sent as Retry-After, rounded up to whole seconds.
	RetryAfter time.Duration
	// Delay is how long the fake waits before it answers (or drops the connection).
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
}

// check says what is wrong with f, if anything.
func (f Fault) check() error {
	var bad []string
	if f.OperateCode == SuccessCode {
		bad = append(bad, `OperateCode: "S" is the success code; a fault answers a failure`)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		bad = append(bad, fmt.Sprintf("Status: %d is not an HTTP status (100 to 599)", f.Status))
	}
	if f.RetryAfter < 0 || f.Delay < 0 {
		bad = append(bad, "RetryAfter and Delay must not be negative")
	}
	if f.OperateCode == "" && f.Status == 0 && f.Delay == 0 && !f.Drop {
		bad = append(bad, "the fault does nothing: set OperateCode, Status, Delay or Drop")
	}
	if len(bad) > 0 {
		return fmt.Errorf("vshoptest: invalid fault: %v", bad)
	}
	return nil
}

// answers reports whether f replaces the answer (rather than only delaying it).
func (f Fault) answers() bool { return f.Drop || f.OperateCode != "" || f.Status != 0 }

// faults are the faults set per operationId: first the queued ones, each for one call, then the
// permanent one.
type faults struct {
	mu     sync.Mutex
	next   map[string][]Fault
	always map[string]Fault
}

// add queues f for the next n calls of op, or sets it for every call when n < 0.
func (fs *faults) add(op string, n int, f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if n < 0 {
		if fs.always == nil {
			fs.always = map[string]Fault{}
		}
		fs.always[op] = f
		return
	}
	if fs.next == nil {
		fs.next = map[string][]Fault{}
	}
	for range n {
		fs.next[op] = append(fs.next[op], f)
	}
}

// take returns the fault for this call of op, if there is one, using up a queued one.
func (fs *faults) take(op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if q := fs.next[op]; len(q) > 0 {
		f := q[0]
		fs.next[op] = q[1:]
		return f, true
	}
	f, ok := fs.always[op]
	return f, ok
}

// clear removes every fault.
func (fs *faults) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.next, fs.always = nil, nil
}

// apply carries out f on w for r: it waits, then drops the connection or answers. It reports whether
// it answered (or dropped the connection, or the client went away during the wait), so that the
// caller knows whether to answer as usual.
func (f Fault) apply(w http.ResponseWriter, r *http.Request, op string) (answered bool) {
	if f.Delay > 0 && !sleep(r, f.Delay) {
		return true // the client is gone: nothing to answer
	}
	if f.Drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		panic(http.ErrAbortHandler) // cannot take the connection over (HTTP/2): abort the answer instead
	}
	if !f.answers() {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	code := f.OperateCode
	if code == "" {
		code = FailureCode
	}
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("vshoptest: fault injected on %s (HTTP %d)", op, status)
	}
	if f.RetryAfter > 0 {
		secs := (f.RetryAfter + time.Second - 1) / time.Second
		w.Header().Set("Retry-After", fmt.Sprint(int64(secs)))
	}
	writeEnvelope(w, status, code, msg)
	return true
}

// sleep waits d, or until r's client goes away; it reports whether the whole wait passed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
