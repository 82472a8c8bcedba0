package vshop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/signing"
)

// BenchmarkRoundTrip is one listAutoRenewals call over loopback, four ways, to show what the client
// adds on top of net/http (BENCHMARKS.md has the figures and `make bench` reruns them):
//
//   - floor: a request whose body was signed once, before the loop, sent with net/http alone; the
//     answer is read and discarded. This is the cost of the round trip itself.
//   - unsigned: the generated client, no request editor. It marshals the request and decodes the
//     answer into the typed reply, as every generated call does.
//   - signed: the generated client with only signing.Signer.EditRequest as its request editor.
//   - default: NewClient with its defaults: signing in the doer, validation before send, the 30 s
//     call timeout (a context per call), retries allowed for this read-only call (none happen), the
//     size limit and the envelope check.
//
// All four talk to the same 127.0.0.1 httptest server, whose handler answers the spec's documented
// listAutoRenewals example, through one *http.Client: the one NewClient builds by default
// (defaultHTTPClient), handed to NewClient with WithHTTPClient and to the generated clients with
// generated.WithHTTPClient. So the transport settings, and even the pool of keep-alive connections,
// are the same for all four. WithHTTPClient changes nothing else: the client has no Timeout of its
// own (as NewClient's default has none), so the call is still bounded by NewClient's per-call context
// timeout alone, exactly as with no options.
//
// Each sub-benchmark makes one checked call before the timed loop (which also opens the keep-alive
// connection): floor must receive the documented reply byte for byte, the others must decode its two
// records. In the loop the three generated-client sub-benchmarks check the decoded reply
// (JSON200.OperateCode == "S"), so none can pass without decoding. The server's work is the same for
// all four and is included in every figure; compare the sub-benchmarks with each other, not with a
// remote server's latency.
func BenchmarkRoundTrip(b *testing.B) {
	reply := documentedReply(b, "/queryAutoRenewalRecord")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	defer srv.Close()
	hc := defaultHTTPClient(DefaultConnectTimeout)
	defer hc.CloseIdleConnections()

	ops, err := operations()
	if err != nil {
		b.Fatal(err)
	}
	const partner = "P000270"
	signer := &signing.Signer{PartnerCode: partner, TradeTypes: ops.tradeTypes}
	ctx := context.Background()

	b.Run("floor", func(b *testing.B) {
		unsigned, err := json.Marshal(renewalsRequest)
		if err != nil {
			b.Fatal(err)
		}
		signed, err := signer.SignBody(unsigned, "/queryAutoRenewalRecord")
		if err != nil {
			b.Fatal(err)
		}
		url := srv.URL + "/queryAutoRenewalRecord"
		call := func(w io.Writer) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(signed))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.Copy(w, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("HTTP %d, %v", resp.StatusCode, err)
			}
		}
		var first bytes.Buffer
		if call(&first); !bytes.Equal(first.Bytes(), reply) {
			b.Fatalf("got %s, want the documented reply", first.Bytes())
		}
		b.ReportAllocs()
		for b.Loop() {
			call(io.Discard)
		}
	})

	generatedClient := func(b *testing.B, opts ...generated.ClientOption) *generated.ClientWithResponses {
		c, err := generated.NewClientWithResponses(srv.URL, append([]generated.ClientOption{generated.WithHTTPClient(hc)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	for _, bc := range []struct {
		name   string
		client func(b *testing.B) *generated.ClientWithResponses
	}{
		{"unsigned", func(b *testing.B) *generated.ClientWithResponses { return generatedClient(b) }},
		{"signed", func(b *testing.B) *generated.ClientWithResponses {
			return generatedClient(b, generated.WithRequestEditorFn(signer.EditRequest))
		}},
		{"default", func(b *testing.B) *generated.ClientWithResponses {
			c, err := NewClient(srv.URL, partner, WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			return c
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := bc.client(b)
			call := func() *generated.ListAutoRenewalsReply {
				resp, err := c.ListAutoRenewalsWithResponse(ctx, renewalsRequest)
				if err != nil {
					b.Fatal(err)
				}
				if resp.JSON200 == nil || resp.JSON200.OperateCode != SuccessCode {
					b.Fatalf("HTTP %d, not a decoded success reply: %s", resp.StatusCode(), resp.Body)
				}
				return resp.JSON200
			}
			if reply := call(); len(reply.Data) != 2 {
				b.Fatalf("decoded %d auto-renewal records, want the documented example's 2", len(reply.Data))
			}
			b.ReportAllocs()
			for b.Loop() {
				call()
			}
		})
	}
}

// BenchmarkCheckReply is the default client's own look at an answer (HTTP status, Content-Type and
// the envelope's operateCode), which the generated parser then decodes in full.
func BenchmarkCheckReply(b *testing.B) {
	body := documentedReply(b, "/queryAutoRenewalRecord")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := checkReply("listAutoRenewals", 200, "application/json", body); err != nil {
			b.Fatal(err)
		}
	}
}
