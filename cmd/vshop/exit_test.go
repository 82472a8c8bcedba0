package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestExitCodes: an answer that is a failure exits 1, a server that cannot be reached or does not
// answer in time exits 3, and each says why on stderr.
func TestExitCodes(t *testing.T) {
	failing := startCounting(t, failureEnvelope)
	notJSON := startCounting(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>502 Bad Gateway</html>"))
	})
	hanging := startCounting(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // once the body is read, the server notices the client hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})

	// A loopback port with nothing listening: listen, note the address, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name    string
		baseURL string
		extra   []string
		code    int
		want    string
	}{
		{"failure envelope", failing.URL, nil, exitFailure, `operateCode "F": deviceCode 1: unknown card`},
		{"HTML error page", notJSON.URL, nil, exitFailure, "HTTP 502"},
		{"closed port", closed, nil, exitNetwork, "connection refused"},
		{"hanging server", hanging.URL, []string{"--timeout", "200ms"}, exitNetwork, "no answer within --timeout 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			args := append([]string{"--base-url", tt.baseURL}, tt.extra...)
			got := runCLI(t, "", append(args, "verify", "--device", "1")...)
			if got.code != tt.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", got.code, tt.code, got.stderr)
			}
			if !strings.Contains(got.stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, got.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout is not empty: %q", got.stdout)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
		})
	}
}
