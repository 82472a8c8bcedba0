package vshoptest

import (
	"fmt"
	"time"
)

// Limits bound what the fake reads, keeps and waits for, so that a runaway test (or a hostile client
// of `vshop sandbox`) cannot exhaust its memory or hold its connections forever. A request beyond a
// limit gets a 4xx failure envelope whose message names the limit, such as
//
//	orderNo: 4096 bytes, over the fake's limit of 128 bytes per field (vshoptest.Limits.MaxFieldBytes)
//
// With the defaults every answer stays well under the client's default size limit,
// vshop.DefaultMaxResponseBytes (4 MiB): the longest is a card's auto-renewals at MaxOrdersPerCard
// orders with every field at MaxFieldBytes and an auto-renewal each, 1.15 MB (TestAnswersUnderClientLimit).
type Limits struct {
	// MaxBodyBytes is the largest request body read; a larger one is answered with HTTP 413 and the
	// connection is closed. Default 1 MiB.
	MaxBodyBytes int64
	// MaxFieldBytes is the longest value of any top-level member, as sent (quotes excluded, escapes
	// included); a longer one is answered with HTTP 400 naming the field. Default 128.
	MaxFieldBytes int
	// MaxOrders bounds the orders the fake holds in all; an order beyond it is answered with HTTP 422.
	// Default 100000.
	MaxOrders int
	// MaxOrdersPerCard bounds the orders of one card (and so its auto-renewals); an order beyond it is
	// answered with HTTP 422. Default 2000.
	MaxOrdersPerCard int
	// MaxCards bounds the cards [WithCards] may add. Default 10000.
	MaxCards int
	// MaxRecorded and MaxRecordedBytes bound what [Server.Requests] keeps: the most recent requests,
	// at most MaxRecorded of them with at most MaxRecordedBytes of bodies in all (older ones are
	// forgotten first). Defaults 10000 and 8 MiB.
	MaxRecorded      int
	MaxRecordedBytes int64
	// ReadHeaderTimeout bounds reading a request's headers, ReadTimeout reading the whole request
	// (headers and body: a stalled body is cut off), WriteTimeout the time from the end of the
	// headers to the end of the answer (so a fault's Delay or WithLatency longer than it gets the
	// connection closed instead of an answer), and IdleTimeout how long a keep-alive connection may
	// wait for its next request. Defaults 5 s, 10 s, 60 s and 30 s.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
}

// DefaultLimits returns the limits a fake has unless [WithLimits] changes them.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:      1 << 20,
		MaxFieldBytes:     128,
		MaxOrders:         100_000,
		MaxOrdersPerCard:  2000,
		MaxCards:          10_000,
		MaxRecorded:       10_000,
		MaxRecordedBytes:  8 << 20,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
}

// merge sets the non-zero fields of o in l, refusing negative ones.
func (l *Limits) merge(o Limits) error {
	var bad []string
	setInt := func(name string, dst *int, v int) {
		if v < 0 {
			bad = append(bad, fmt.Sprintf("%s is %d", name, v))
		} else if v > 0 {
			*dst = v
		}
	}
	setInt64 := func(name string, dst *int64, v int64) {
		if v < 0 {
			bad = append(bad, fmt.Sprintf("%s is %d", name, v))
		} else if v > 0 {
			*dst = v
		}
	}
	setDur := func(name string, dst *time.Duration, v time.Duration) {
		if v < 0 {
			bad = append(bad, fmt.Sprintf("%s is %v", name, v))
		} else if v > 0 {
			*dst = v
		}
	}
	setInt64("MaxBodyBytes", &l.MaxBodyBytes, o.MaxBodyBytes)
	setInt("MaxFieldBytes", &l.MaxFieldBytes, o.MaxFieldBytes)
	setInt("MaxOrders", &l.MaxOrders, o.MaxOrders)
	setInt("MaxOrdersPerCard", &l.MaxOrdersPerCard, o.MaxOrdersPerCard)
	setInt("MaxCards", &l.MaxCards, o.MaxCards)
	setInt("MaxRecorded", &l.MaxRecorded, o.MaxRecorded)
	setInt64("MaxRecordedBytes", &l.MaxRecordedBytes, o.MaxRecordedBytes)
	setDur("ReadHeaderTimeout", &l.ReadHeaderTimeout, o.ReadHeaderTimeout)
	setDur("ReadTimeout", &l.ReadTimeout, o.ReadTimeout)
	setDur("WriteTimeout", &l.WriteTimeout, o.WriteTimeout)
	setDur("IdleTimeout", &l.IdleTimeout, o.IdleTimeout)
	if len(bad) > 0 {
		return fmt.Errorf("vshoptest: WithLimits: negative limits (0 keeps the default): %v", bad)
	}
	return nil
}
