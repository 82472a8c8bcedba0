package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// testPartner is the partner code the tests act as.
const testPartner = "P000270"

// result is what one run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs vshop in-process with args and stdin, as partner testPartner unless args say otherwise.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	t.Setenv(partnerCodeEnv, testPartner)
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// countingServer is a loopback server that counts the requests it receives and answers each with
// handler.
type countingServer struct {
	*httptest.Server
	requests atomic.Int64
}

// startCounting starts a countingServer.
func startCounting(t *testing.T, handler http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// failureEnvelope answers every request with a failure envelope, as the sandbox does for an unknown card.
func failureEnvelope(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(`{"operateCode":"F","message":"deviceCode 1: unknown card"}`))
}

// writeFile writes content to the file name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
