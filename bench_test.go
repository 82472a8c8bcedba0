package vshop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/signing"
)

// benchServer answers every request with listAutoRenewals' documented reply.
func benchServer(b *testing.B) *httptest.Server {
	reply := documentedReply(&testing.T{}, "/queryAutoRenewalRecord")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 1024)
		for {
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchCalls(b *testing.B, c *generated.ClientWithResponses) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Data[[]generated.AutoRenewalRecord](c.ListAutoRenewalsWithResponse(ctx, renewalsRequest)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClient is one listAutoRenewals call through the default client on a loopback round trip.
func BenchmarkClient(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"default", nil},
		{"no validation", []Option{WithValidation(false)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := NewClient(benchServer(b).URL, "P000270", bc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			benchCalls(b, c)
		})
	}
}

// BenchmarkBareGenerated is the same call through the generated client with only the signing editor,
// the baseline of issue 5.
func BenchmarkBareGenerated(b *testing.B) {
	ops, err := operations()
	if err != nil {
		b.Fatal(err)
	}
	signer := &signing.Signer{PartnerCode: "P000270", TradeTypes: ops.tradeTypes}
	c, err := generated.NewClientWithResponses(benchServer(b).URL, generated.WithRequestEditorFn(signer.EditRequest))
	if err != nil {
		b.Fatal(err)
	}
	benchCalls(b, c)
}

// BenchmarkCheckReply is the client's own look at an answer (the envelope's operateCode), which the
// generated parser then decodes again in full.
func BenchmarkCheckReply(b *testing.B) {
	body := documentedReply(&testing.T{}, "/queryAutoRenewalRecord")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := checkReply("listAutoRenewals", 200, "application/json", body); err != nil {
			b.Fatal(err)
		}
	}
}
