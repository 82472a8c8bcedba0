package signing

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkSign signs the documented vector-B request body.
func BenchmarkSign(b *testing.B) {
	body := []byte(vectorBBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Sign(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEditor runs EditRequest on a fresh request (made by
// http.NewRequestWithContext, as a generated client does) carrying the
// vector-B body, every iteration; the figures include making the request.
func BenchmarkEditor(b *testing.B) {
	s := testSigner()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/vshop/singleServicePlanPage", strings.NewReader(vectorBBody))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.EditRequest(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEditorOnly is BenchmarkEditor with the request built as cheaply
// as possible (a struct literal, the URL parsed once), to isolate the editor.
func BenchmarkEditorOnly(b *testing.B) {
	s := testSigner()
	ctx := context.Background()
	u, _ := url.Parse("http://127.0.0.1/vshop/singleServicePlanPage")
	body := strings.NewReader(vectorBBody)
	rc := io.NopCloser(body)
	b.ReportAllocs()
	for b.Loop() {
		body.Reset(vectorBBody)
		req := &http.Request{Method: http.MethodPost, URL: u, Body: rc, ContentLength: int64(len(vectorBBody))}
		if err := s.EditRequest(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignBody fills and signs the vector-B body without HTTP.
func BenchmarkSignBody(b *testing.B) {
	s := testSigner()
	body := []byte(vectorBBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignBody(body, "/vshop/singleServicePlanPage"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies the documented vector-B body.
func BenchmarkVerify(b *testing.B) {
	body := []byte(vectorBBody)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(body); err != nil {
			b.Fatal(err)
		}
	}
}
