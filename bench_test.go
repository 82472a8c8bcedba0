package vshop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

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
//   - default: NewClient's typed ListAutoRenewals with the client's defaults: the request built from
//     its fields and signed, validated before send, the 30 s call timeout (a context per call),
//     retries allowed for this read-only call (none happen), the size limit, and the answer read
//     once, strictly, into []AutoRenewalRecord.
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
	roundTrips(b, srv.URL, hc, reply)
}

// BenchmarkInMemory is BenchmarkRoundTrip without the network: the same four calls through an
// *http.Client whose transport hands the request's body to io.Discard and answers the documented
// reply from memory. What remains is the client's own work (building, signing, validating, sending
// through net/http's client, reading and decoding), which a loopback round trip on a shared machine
// buries in noise.
func BenchmarkInMemory(b *testing.B) {
	reply := documentedReply(b, "/queryAutoRenewalRecord")
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(reply)), ContentLength: int64(len(reply)), Request: r}, nil
	})}
	roundTrips(b, "http://127.0.0.1:9", hc, reply)
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// roundTrips runs the four sub-benchmarks (floor, unsigned, signed, default) against base through hc,
// which answers reply.
func roundTrips(b *testing.B, base string, hc *http.Client, reply []byte) {
	srv := struct{ URL string }{base}

	const partner = "P000270"
	signer := &signing.Signer{PartnerCode: partner, TradeTypes: TradeTypes()}
	ctx := context.Background()
	// The same request, as the generated client takes it and as the typed method takes it.
	rawRequest := generated.ListAutoRenewalsRequest{DeviceCode: "8100000000012000423", LanguageCode: LanguageEnglish,
		Mark: MarkLinksfieldCard, Terminal: TerminalMobile}
	typedRequest := ListAutoRenewalsRequest{DeviceCode: "8100000000012000423"}

	b.Run("floor", func(b *testing.B) {
		unsigned, err := json.Marshal(rawRequest)
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
		name string
		opts []generated.ClientOption
	}{
		{"unsigned", nil},
		{"signed", []generated.ClientOption{generated.WithRequestEditorFn(signer.EditRequest)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := generatedClient(b, bc.opts...)
			call := func() *generated.ListAutoRenewalsReply {
				resp, err := c.ListAutoRenewalsWithResponse(ctx, rawRequest)
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

	b.Run("default", func(b *testing.B) {
		c, err := NewClient(srv.URL, partner, WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		call := func() []AutoRenewalRecord {
			recs, err := c.ListAutoRenewals(ctx, typedRequest)
			if err != nil {
				b.Fatal(err)
			}
			return recs
		}
		if recs := call(); len(recs) != 2 || recs[1].OrderNo != "NO2025032716555388835" {
			b.Fatalf("decoded %+v, want the documented example's 2 records", recs)
		}
		b.ReportAllocs()
		for b.Loop() {
			if len(call()) != 2 {
				b.Fatal("not the 2 documented records")
			}
		}
	})
}

// BenchmarkDecodeReply is the default client's one read of an answer: the strict envelope scan, then
// the decoding of data into the typed result.
func BenchmarkDecodeReply(b *testing.B) {
	body := documentedReply(b, "/queryAutoRenewalRecord")
	b.ReportAllocs()
	for b.Loop() {
		var recs []AutoRenewalRecord
		if _, err := decodeReply(&operationTable[opListAutoRenewals], 200, "application/json", body, &recs); err != nil || len(recs) != 2 {
			b.Fatal(recs, err)
		}
	}
}

// BenchmarkNewClient is what making a client costs: "later" in a process that has made clients
// before, "first" the first NewClient of a fresh process (each iteration starts this test binary
// again, which runs TestFirstNewClient and reports the time of its one NewClient; its ns/op is the
// median of those, the process start is not in it).
func BenchmarkNewClient(b *testing.B) {
	b.Run("later", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewClient(UATURL, "P000270"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		var times []float64
		for b.Loop() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFirstNewClient$", "-test.v")
			cmd.Env = append(os.Environ(), firstNewClientEnv+"=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			m := firstNewClientLine.FindSubmatch(out)
			if m == nil {
				b.Fatalf("no timing in the output:\n%s", out)
			}
			ns, _ := strconv.ParseFloat(string(m[1]), 64)
			times = append(times, ns)
		}
		slices.Sort(times)
		// ns/op is the median first NewClient, not the time to start the process and measure it.
		b.ReportMetric(times[len(times)/2], "ns/op")
	})
}

const firstNewClientEnv = "VSHOP_TEST_FIRST_NEWCLIENT"

var firstNewClientLine = regexp.MustCompile(`first NewClient: ([0-9]+) ns`)

// TestFirstNewClient times the first NewClient of this process, for BenchmarkNewClient/first; it
// runs only when that benchmark starts it.
func TestFirstNewClient(t *testing.T) {
	if os.Getenv(firstNewClientEnv) == "" {
		t.Skip("run by BenchmarkNewClient/first in a fresh process")
	}
	start := time.Now()
	if _, err := NewClient(UATURL, "P000270"); err != nil {
		t.Fatal(err)
	}
	t.Logf("first NewClient: %d ns", time.Since(start).Nanoseconds())
}
