package vshoptest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/vshoptest"
)

// memory is the live heap after a garbage collection (runtime.MemStats.HeapAlloc) and the process's
// resident set (VmRSS of /proc/self/status; 0 where there is none), in bytes.
func memory(t *testing.T) (heap, rss uint64) {
	t.Helper()
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return ms.HeapAlloc, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if kb, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var n uint64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), &n)
			rss = n << 10
		}
	}
	return ms.HeapAlloc, rss
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// TestMemoryBound creates 10,000 orders, then sends 10,000 creates with 4 KiB ids and 150 with
// 450 KB ids (as in the report that found the sandbox unbounded), measuring the live heap (after GC)
// and the RSS of this process, which holds the fake and its client. The oversized ids are refused by
// the field limit, so the state does not grow; the recorded requests stay within MaxRecordedBytes.
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 20,000 requests")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use: the figures would not be the fake's")
	}
	cards := make([]string, 10)
	for i := range cards {
		cards[i] = fmt.Sprintf("898524000000001%05d", i)
	}
	srv := vshoptest.NewServer(t, vshoptest.WithClock(fixed), vshoptest.WithCards(cards...))
	c := srv.Client(vshop.WithRetryMax(0))
	ctx := context.Background()
	send := func(n int, id func(i int) string, wantRefused bool) {
		t.Helper()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i := range n {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				_, err := vshop.Data[generated.CreatedOrder](c.CreateOrderWithResponse(ctx, order(cards[i%len(cards)], id(i))))
				var apiErr *vshop.APIError
				refused := errors.As(err, &apiErr) && apiErr.StatusCode == 400 && strings.Contains(apiErr.Message, "MaxFieldBytes")
				if wantRefused != refused || (!wantRefused && err != nil) {
					t.Errorf("create %d: %v", i, err)
				}
			})
		}
		wg.Wait()
	}
	heap0, rss0 := memory(t)
	send(10_000, func(i int) string { return fmt.Sprintf("NO-MEM-%05d", i) }, false)
	heap1, rss1 := memory(t)
	send(10_000, func(i int) string { return fmt.Sprintf("NO-%05d-", i) + strings.Repeat("9", 4<<10) }, true)
	heap2, rss2 := memory(t)
	send(150, func(i int) string { return fmt.Sprintf("NO-%05d-", i) + strings.Repeat("9", 450_000) }, true)
	heap3, rss3 := memory(t)
	t.Logf("live heap / RSS: start %s / %s; after 10,000 creates %s / %s; after 10,000 more with 4 KiB ids %s / %s; after 150 with 450 KB ids %s / %s",
		mib(heap0), mib(rss0), mib(heap1), mib(rss1), mib(heap2), mib(rss2), mib(heap3), mib(rss3))

	total := 0
	for _, card := range cards {
		orders, _ := srv.Orders(card)
		total += len(orders)
	}
	if total != 10_000 {
		t.Errorf("%d orders held, want 10000", total)
	}
	if grew := int64(heap1) - int64(heap0); grew > 64<<20 {
		t.Errorf("10,000 orders grew the live heap by %s, want under 64 MiB", mib(uint64(grew)))
	}
	// The refused requests leave at most MaxRecordedBytes of bodies (8 MiB) behind them.
	if grew := int64(heap3) - int64(heap1); grew > 16<<20 {
		t.Errorf("refused oversized ids grew the live heap by %s, want under 16 MiB", mib(uint64(grew)))
	}
}
