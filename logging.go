package vshop

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// MaskDevice is the default device-code masking (see WithDeviceMasking): it keeps the first 6 and the
// last 4 characters of a device code and replaces the others with '*', so
// "89852420180910340793" becomes "898524**********0793". The first six digits of an ICCID name the
// industry, country and issuer, not the card. A code of 10 characters or fewer keeps only its last 4
// (and one of 4 or fewer is masked completely).
func MaskDevice(code string) string {
	n := utf8.RuneCountInString(code)
	keepHead, keepTail := 6, 4
	switch {
	case n <= 4:
		keepHead, keepTail = 0, 0
	case n <= 10:
		keepHead = 0
	}
	var b strings.Builder
	b.Grow(len(code))
	i := 0
	for _, r := range code {
		if i < keepHead || i >= n-keepTail {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// deviceMember finds the value of every "deviceCode" member, at any depth, of a JSON text.
var deviceMember = regexp.MustCompile(`("deviceCode"\s*:\s*")((?:[^"\\]|\\.)*)(")`)

// masker hides device codes in what the client logs.
type masker struct {
	mask   func(string) string
	device string // the request's device code, "" if none
	masked string // mask(device)
}

// text masks the request's device code wherever it appears in s (an error message, say).
func (m *masker) text(s string) string {
	if m.device == "" || m.device == m.masked {
		return s
	}
	return strings.ReplaceAll(s, m.device, m.masked)
}

// body masks every deviceCode member of a JSON body, and the request's device code anywhere else in it.
func (m *masker) body(b []byte) string {
	s := deviceMember.ReplaceAllStringFunc(string(b), func(member string) string {
		sub := deviceMember.FindStringSubmatch(member)
		return sub[1] + m.mask(sub[2]) + sub[3]
	})
	return m.text(s)
}

// maxLoggedBody bounds the bodies written at debug level.
const maxLoggedBody = 16 << 10

func clip(s string) string {
	if len(s) <= maxLoggedBody {
		return s
	}
	cut := maxLoggedBody
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(clipped)"
}

// logCall writes the one line per call: Info when the call succeeded, Warn when it ended in an error.
func (c *Client) logCall(ctx context.Context, k *callState, latency time.Duration, err error) {
	m := &k.m
	if m.mask == nil {
		m.mask = c.cfg.mask
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	if !c.cfg.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("operation", k.op.ID),
		slog.String("tradeType", k.op.TradeType),
		slog.String("device", m.masked),
		slog.Int("status", k.status),
		slog.String("operateCode", k.operateCode),
		slog.Int("attempts", k.attempts),
		slog.Duration("latency", latency),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", m.text(err.Error())))
	}
	c.cfg.logger.LogAttrs(ctx, level, "vshop call", attrs...)
}

// debugEnabled reports whether bodies are logged.
func (c *Client) debugEnabled(ctx context.Context) bool {
	return c.cfg.logger != nil && c.cfg.logger.Enabled(ctx, slog.LevelDebug)
}

// logRequest writes an attempt's signed request body at debug level.
func (c *Client) logRequest(ctx context.Context, k *callState, attempt int, body []byte) {
	c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "vshop request",
		slog.String("operation", k.op.ID),
		slog.Int("attempt", attempt),
		slog.String("body", clip(k.m.body(body))),
	)
}

// logResponse writes an attempt's answer at debug level.
func (c *Client) logResponse(ctx context.Context, k *callState, attempt, status int, body []byte) {
	c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "vshop response",
		slog.String("operation", k.op.ID),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.String("body", clip(k.m.body(body))),
	)
}

// logRetry writes, at debug level, why and when an attempt is repeated.
func (c *Client) logRetry(ctx context.Context, k *callState, attempt, status int, err error, wait time.Duration) {
	attrs := []slog.Attr{
		slog.String("operation", k.op.ID),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.Duration("wait", wait),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", k.m.text(err.Error())))
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "vshop retry", attrs...)
}
