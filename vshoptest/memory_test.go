package vshoptest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// memCards are the cards the memory test spreads its orders over: 1000 each, under the limit per card.
var memCards = func() []string {
	cards := make([]string, 10)
	for i := range cards {
		cards[i] = fmt.Sprintf("898524000000001%05d", i)
	}
	return cards
}()

// serveEnv, when set to 1, makes TestMemoryBound serve a fake and print its URL instead of testing:
// the test runs its own binary that way to measure a fake alone in its process.
const serveEnv = "VSHOPTEST_MEMORY_SERVE"

// startFakeProcess runs this test binary as a process that serves a fake, and returns its URL and a
// function reading its VmRSS in bytes.
func startFakeProcess(t *testing.T) (url string, rss func() uint64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryBound$")
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the fake's process printed no URL")
	}
	go io.Copy(io.Discard, out)
	return url, func() uint64 { return vmRSS(t, fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)) }
}

// vmRSS reads VmRSS from a /proc status file, in bytes.
func vmRSS(t *testing.T, path string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	for line := range strings.Lines(string(b)) {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var n uint64
			if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), &n); err != nil {
				t.Fatalf("%s: VmRSS %q: %v", path, kb, err)
			}
			return n << 10
		}
	}
	t.Fatalf("%s has no VmRSS", path)
	return 0
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// TestMemoryBound runs a fake alone in a process of its own, sends it 10,000 creates, then 10,000
// creates with 4 KiB ids and 150 with 450 KB ids (as in the report that found the sandbox unbounded),
// and reads the fake's resident set (VmRSS of /proc/PID/status) after each. The oversized ids are
// refused by the field limit, so the state does not grow; the recorded requests stay within
// MaxRecordedBytes.
func TestMemoryBound(t *testing.T) {
	if os.Getenv(serveEnv) == "1" {
		srv, err := vshoptest.Start("127.0.0.1:0", vshoptest.WithClock(fixed), vshoptest.WithCards(memCards...))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("URL", srv.URL)
		select {} // until the parent kills this process
	}
	if testing.Short() {
		t.Skip("sends 20,000 requests")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use: the figures would not be the fake's")
	}
	url, rss := startFakeProcess(t)
	c, err := vshop.NewClient(url, vshoptest.PartnerCode, vshop.WithClock(fixed), vshop.WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func(n int, id func(i int) string, wantRefused bool) {
		t.Helper()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i := range n {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				_, err := c.CreateOrder(ctx, order(memCards[i%len(memCards)], id(i)))
				var apiErr *vshop.APIError
				refused := errors.As(err, &apiErr) && apiErr.StatusCode == 400 && strings.Contains(apiErr.Message, "MaxFieldBytes")
				if wantRefused != refused || (!wantRefused && err != nil) {
					t.Errorf("create %d: %v", i, err)
				}
			})
		}
		wg.Wait()
	}
	rss0 := rss()
	send(10_000, func(i int) string { return fmt.Sprintf("NO-MEM-%05d", i) }, false)
	rss1 := rss()
	send(10_000, func(i int) string { return fmt.Sprintf("NO-%05d-", i) + strings.Repeat("9", 4<<10) }, true)
	rss2 := rss()
	huge := func(i int) string { return fmt.Sprintf("NO-%05d-", i) + strings.Repeat("9", 450_000) }
	send(150, huge, true)
	rss3 := rss()
	send(150, huge, true)
	rss4 := rss()
	t.Logf("the fake's RSS: at start %s; after 10,000 creates %s; after 10,000 more with 4 KiB ids %s; after 150 with 450 KB ids %s; after 150 more %s",
		mib(rss0), mib(rss1), mib(rss2), mib(rss3), mib(rss4))

	for _, card := range memCards {
		list, err := c.ListOrders(ctx, vshop.ListOrdersRequest{
			DeviceCode: card, LanguageCode: "1", Mark: "0", Terminal: "0"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.OrderList) != 1000 {
			t.Errorf("card %s lists %d orders, want 1000", card, len(list.OrderList))
		}
	}

	// 10,000 orders and 10,000 recorded requests of about 500 bytes take some MiB; refused requests
	// leave at most MaxRecordedBytes (8 MiB) of bodies behind them, plus the buffers of reading them.
	if rss1 > rss0+64<<20 {
		t.Errorf("10,000 orders took the fake's RSS from %s to %s, want under 64 MiB more", mib(rss0), mib(rss1))
	}
	if rss4 > rss1+64<<20 {
		t.Errorf("refused oversized ids took the fake's RSS from %s to %s, want under 64 MiB more", mib(rss1), mib(rss4))
	}
}
