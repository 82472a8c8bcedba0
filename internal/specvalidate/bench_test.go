package specvalidate

import (
	"context"
	"testing"
)

// BenchmarkValidate measures one kin-openapi validation of a typical signed request (what the fake
// Mall does for every request it receives).
func BenchmarkValidate(b *testing.B) {
	v, err := New()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"queryAutoRenewalRecord","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Request(ctx, "POST", "/queryAutoRenewalRecord", body); err != nil {
			b.Fatal(err)
		}
	}
}
