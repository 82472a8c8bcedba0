package main

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExposureWarning checks which listening addresses `vshop sandbox` warns about.
func TestExposureWarning(t *testing.T) {
	for _, tt := range []struct {
		ip   string
		warn bool
	}{
		{"127.0.0.1", false}, {"127.8.9.10", false}, {"::1", false},
		{"0.0.0.0", true}, {"::", true}, {"192.168.1.20", true}, {"10.0.0.1", true},
	} {
		got := exposureWarning(&net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 8080})
		if (got != "") != tt.warn || (tt.warn && !strings.Contains(got, "not a loopback address")) {
			t.Errorf("%s: warning %q, want one: %v", tt.ip, got, tt.warn)
		}
	}
}

// TestSandboxStopsWithRequestInFlight starts `vshop sandbox --latency 1m`, sends a request that will
// still be waiting, stops the sandbox with SIGTERM and checks that it exits 0 within the grace
// period (plus slack), saying what it did.
func TestSandboxStopsWithRequestInFlight(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	proc, stderr := startSandboxBinary(t, bin, addr, "--latency", "1m")
	sent := make(chan error, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/singleVerify", "application/json", bytes.NewReader([]byte(`{}`)))
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	time.Sleep(300 * time.Millisecond) // the request is in its latency now
	stopped := time.Now()
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- proc.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("vshop sandbox after SIGTERM with a request in flight: %v\nstderr:\n%s", err, stderr)
		}
	case <-time.After(shutdownGrace + 10*time.Second):
		t.Fatalf("vshop sandbox did not stop within %v of SIGTERM", shutdownGrace+10*time.Second)
	}
	t.Logf("exited %v after SIGTERM", time.Since(stopped).Round(time.Millisecond))
	if err := <-sent; err == nil {
		t.Error("the request in flight was answered, want its connection closed")
	}
	for _, want := range []string{"vshop sandbox: stopping", "requests still in progress after 5s: their connections were closed", "vshop sandbox: stopped"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
