package vshop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// logLines parses the JSON lines a slog.JSONHandler wrote.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestLogOneLinePerCall: at Info, each call writes exactly one line with operation, tradeType, status,
// operateCode, attempts and latency; a failed call's line is at Warn and carries the error.
func TestLogOneLinePerCall(t *testing.T) {
	_, srv := startScript(t,
		documented(t),                     // call 1: success
		answer(500, "text/plain", "boom"), // call 2: first attempt
		documented(t),                     // call 2: retry
		answer(200, "application/json", `{"operateCode":"F","message":"card not found"}`), // call 3
	)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := NewClient(srv.URL, "P000270", WithLogger(logger), withSleep(noSleep))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 3 {
		err := listRenewals(ctx, c)
		if (err != nil) != (i == 2) {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	// A call that never leaves (invalid) logs its line too.
	bad := renewalsRequest
	bad.DeviceCode = "12AB"
	c.ListAutoRenewals(ctx, bad)

	lines := logLines(t, &buf)
	t.Logf("log:\n%s", buf.String())
	want := []struct {
		level, operateCode, err string
		status, attempts        float64
	}{
		{"INFO", "S", "", 200, 1},
		{"INFO", "S", "", 200, 2},
		{"WARN", "F", "card not found", 200, 1},
		{"WARN", "", "deviceCode: must match", 0, 0},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d log lines for %d calls", len(lines), len(want))
	}
	for i, w := range want {
		l := lines[i]
		if l["msg"] != "vshop call" || l["level"] != w.level || l["operation"] != "listAutoRenewals" || l["tradeType"] != "queryAutoRenewalRecord" ||
			l["status"] != w.status || l["operateCode"] != w.operateCode || l["attempts"] != w.attempts {
			t.Errorf("line %d: %v, want %+v", i+1, l, w)
		}
		if _, ok := l["latency"].(float64); !ok {
			t.Errorf("line %d: no latency", i+1)
		}
		if e, _ := l["error"].(string); !strings.Contains(e, w.err) || (w.err == "") != (e == "") {
			t.Errorf("line %d: error %q, want %q", i+1, e, w.err)
		}
	}
	if lines[0]["device"] != "810000*********0423" {
		t.Errorf("device %v, want it masked", lines[0]["device"])
	}
	if strings.Contains(buf.String(), `"body"`) {
		t.Error("bodies logged at Info")
	}
}

// TestLogMasking: the full device code never appears in the log, at any level, in any line (bodies,
// errors echoing it included); the masked form does.
func TestLogMasking(t *testing.T) {
	const iccid = "89852420180910340793"
	tests := []struct {
		name       string
		opts       []Option
		wantMasked string
	}{
		{"default MaskDevice", nil, "898524**********0793"},
		{"custom masking", []Option{WithDeviceMasking(func(string) string { return "<device>" })}, "<device>"},
	}
	for _, tt := range tests {
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
			t.Run(tt.name+"/"+level.String(), func(t *testing.T) {
				_, srv := startScript(t,
					answer(503, "text/plain", "busy"),
					func(w http.ResponseWriter, r *http.Request) { // echo the device in the data, as the Mall does
						w.Header().Set("Content-Type", "application/json")
						w.Write([]byte(`{"operateCode":"S","message":"success","data":[{"deviceCode":"` + iccid + `","payId":"P1","orderNo":"NO1","partnerCode":"P000270","servicePlanShowName":"x","orderPeriod":"1","packageType":"1","subscriptionTime":"2025.03.27"}]}`))
					},
					answer(200, "application/json", `{"operateCode":"F","message":"card `+iccid+` is not active"}`),
				)
				var buf bytes.Buffer
				logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
				c, err := NewClient(srv.URL, "P000270", append([]Option{WithLogger(logger), withSleep(noSleep)}, tt.opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				req := renewalsRequest
				req.DeviceCode = iccid
				for range 2 {
					c.ListAutoRenewals(context.Background(), req)
				}
				out := buf.String()
				t.Logf("log:\n%s", out)
				if level == slog.LevelDebug && strings.Count(out, `"tradeTime\":`) != 3 {
					t.Errorf("want 3 request bodies")
				}
				if strings.Contains(out, iccid) {
					t.Errorf("the full device code is in the log")
				}
				if !strings.Contains(out, tt.wantMasked) {
					t.Errorf("the masked device code %q is not in the log", tt.wantMasked)
				}
				lines := logLines(t, &buf)
				calls, bodies := 0, 0
				for _, l := range lines {
					switch l["msg"] {
					case "vshop call":
						calls++
					case "vshop request", "vshop response":
						bodies++
					}
				}
				if calls != 2 {
					t.Errorf("%d call lines, want 2", calls)
				}
				if wantBodies := map[slog.Level]int{slog.LevelInfo: 0, slog.LevelDebug: 6}[level]; bodies != wantBodies {
					t.Errorf("%d body lines, want %d", bodies, wantBodies)
				}
			})
		}
	}
}

func TestMaskDevice(t *testing.T) {
	tests := []struct{ in, want string }{
		{"89852420180910340793", "898524**********0793"},
		{"8100000000012000423", "810000*********0423"},
		{"356938035643809", "356938*****3809"}, // an IMEI
		{"12345678901", "123456*8901"},
		{"1234567890", "******7890"},
		{"12345", "*2345"},
		{"1234", "****"},
		{"", ""},
		{"８９８５２４２０１８０９１０３４０７９３", "８９８５２４**********０７９３"},
	}
	for _, tt := range tests {
		if got := MaskDevice(tt.in); got != tt.want {
			t.Errorf("MaskDevice(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNoLogger: without WithLogger nothing is logged (slog's default logger included).
func TestNoLogger(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	_, srv := startScript(t, documented(t))
	c, err := NewClient(srv.URL, "P000270")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAutoRenewals(context.Background(), renewalsRequest); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("logged %q", buf.String())
	}
}
