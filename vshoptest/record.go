package vshoptest

import (
	"sync"
	"time"
)

// Request is one request the fake received, as [Server.Requests] lists it.
type Request struct {
	// Operation is the spec's operationId of the request's path ("listPlans"), or "" for a path that
	// is none of the spec's.
	Operation string
	// Method and Path are the request's.
	Method, Path string
	// Body is the raw body as received (at most Limits.MaxBodyBytes of it).
	Body []byte
	// SignVerified reports whether the body's sign matched its other fields, checked on the raw bytes.
	SignVerified bool
	// Status is the HTTP status of the answer; 0 when the connection was dropped or the client went
	// away before the answer.
	Status int
	// Fault reports whether a fault ([Server.FailNext], [Server.FailAlways], WithFailureRate)
	// answered or delayed the request.
	Fault bool
	// Time is when the request arrived, by the fake's clock.
	Time time.Time
}

// recorder keeps the most recent requests within the limits.
type recorder struct {
	limits *Limits
	mu     sync.Mutex
	reqs   []*Request
	bytes  int64
}

// add records req; its status is filled in by setStatus when the answer begins. The oldest requests are
// forgotten when the limits are reached.
func (rec *recorder) add(req *Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = append(rec.reqs, req)
	rec.bytes += int64(len(req.Body))
	drop := 0
	for drop < len(rec.reqs)-1 && (len(rec.reqs)-drop > rec.limits.MaxRecorded || rec.bytes > rec.limits.MaxRecordedBytes) {
		rec.bytes -= int64(len(rec.reqs[drop].Body))
		rec.reqs[drop] = nil
		drop++
	}
	rec.reqs = rec.reqs[drop:] // append copies the live part when it next grows the array
}

// setStatus sets the answer's status of req.
func (rec *recorder) setStatus(req *Request, status int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	req.Status = status
}

// setFault marks req as answered or delayed by a fault.
func (rec *recorder) setFault(req *Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	req.Fault = true
}

// list copies the recorded requests, oldest first.
func (rec *recorder) list() []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := make([]Request, len(rec.reqs))
	for i, r := range rec.reqs {
		out[i] = *r
		out[i].Body = append([]byte(nil), r.Body...)
	}
	return out
}

// reset forgets every recorded request.
func (rec *recorder) reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs, rec.bytes = nil, 0
}
