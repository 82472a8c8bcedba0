package vshop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/vshop-go/vshop/signing"
)

// DefaultMaxResponseBytes is the largest answer the client reads; a larger one is an error, not an
// out-of-memory crash. Vshop answers are a few KiB.
const DefaultMaxResponseBytes = 4 << 20

// errTooLarge reports an answer over the size limit.
var errTooLarge = errors.New("the answer is larger than the client's limit")

// doer is the generated client's HTTP doer: it refuses a request whose body changed after signing,
// sends it, reads the answer within the size limit and turns anything but a success envelope into an
// error.
type doer struct {
	client   *http.Client
	ops      *operationTable
	maxBytes int64
}

// Do sends req and returns the answer with its body buffered, or an error.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	op, _ := d.ops.lookup(req.URL.Path)
	if err := signing.CheckSigned(req); err != nil {
		return nil, fmt.Errorf("vshop %s: %w", op.ID, err)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := d.maxBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("vshop %s: reading the HTTP %d answer: %w", op.ID, resp.StatusCode, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("vshop %s: HTTP %d: %w (%d bytes)", op.ID, resp.StatusCode, errTooLarge, limit)
	}
	if err := checkReply(op.ID, resp.StatusCode, resp.Header.Get("Content-Type"), body); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
