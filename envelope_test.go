package vshop

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// referenceEnvelope reads the top level of an answer as scanEnvelope must, written independently of
// it: encoding/json checks the syntax and decodes keys and strings token by token; this function adds
// what encoding/json does not check (UTF-8, duplicate keys, case variants, the depth limit). ok is
// false when scanEnvelope must refuse the body.
func referenceEnvelope(body []byte) (env envelope, ok bool) {
	if !json.Valid(body) || !utf8.Valid(body) || nesting(body) > maxEnvelopeDepth {
		return env, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return env, false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return env, false
		}
		key := tok.(string)
		if seen[key] {
			return env, false
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return env, false
		}
		for _, name := range []string{"operateCode", "message", "data"} {
			if key != name && foldsTo(key, name) {
				return env, false
			}
		}
		switch key {
		case "operateCode":
			if err := json.Unmarshal(raw, &env.code); err != nil || raw[0] != '"' {
				return env, false
			}
			env.hasCode = true
		case "message":
			var m *string
			if err := json.Unmarshal(raw, &m); err != nil {
				return env, false
			}
			if m != nil {
				env.message = *m
			}
		case "data":
			env.data = raw
		}
	}
	return env, true
}

// nesting is the deepest nesting of objects and arrays in a valid JSON text, the outermost counting 1.
func nesting(body []byte) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// foldsTo reports whether key matches the ASCII name under Unicode simple case folding, rune by rune
// (as encoding/json matches keys to fields, "ſ" and the Kelvin sign included).
func foldsTo(key, name string) bool {
	if utf8.RuneCountInString(key) != len(name) {
		return false
	}
	i := 0
	for _, r := range key {
		want := rune(name[i])
		i++
		match := r == want
		for f := unicode.SimpleFold(r); !match && f != r; f = unicode.SimpleFold(f) {
			match = f == want
		}
		if !match {
			return false
		}
	}
	return true
}

// checkAgainstReference fails the test when scanEnvelope and referenceEnvelope disagree on body.
func checkAgainstReference(t *testing.T, body []byte) {
	t.Helper()
	got, err := scanEnvelope(body)
	want, ok := referenceEnvelope(body)
	switch {
	case ok && err != nil:
		t.Fatalf("scanEnvelope refuses %q (%v); the reference reads %+v", body, err, want)
	case !ok && err == nil:
		t.Fatalf("scanEnvelope reads %q as %+v; the reference refuses it", body, got)
	case ok && (got.hasCode != want.hasCode || got.code != want.code || got.message != want.message ||
		!bytes.Equal(got.data, want.data) || (got.data == nil) != (want.data == nil)):
		t.Fatalf("scanEnvelope reads %q as %+v, the reference as %+v", body, got, want)
	}
}

// TestScanEnvelope: scanEnvelope reads the common answers, with their operateCode, message and raw
// data, and refuses everything that is not one JSON object or could be read two ways, saying why.
// Every case is also checked against the reference.
func TestScanEnvelope(t *testing.T) {
	renewals := documentedReply(t, "/queryAutoRenewalRecord")
	var members map[string]json.RawMessage
	if err := json.Unmarshal(renewals, &members); err != nil || members["data"] == nil {
		t.Fatalf("the documented reply %s: %v", renewals, err)
	}
	renewalsData := []byte(members["data"])
	tests := []struct {
		name    string
		body    string
		want    envelope // when wantErr is ""
		wantErr string
	}{
		{name: "documented listAutoRenewals", body: string(renewals),
			want: envelope{hasCode: true, code: "S", message: "success", data: renewalsData}},
		{name: "minimal", body: `{"operateCode":"S"}`, want: envelope{hasCode: true, code: "S"}},
		{name: "whitespace everywhere", body: " {\n\t\"message\" : \"success\" ,\r\n \"operateCode\" : \"S\" , \"data\" : { \"a\" : [ 1 , -2.5e+3 , 0 , true , false , null , \"\\u00e9\\n\" ] } } \n",
			want: envelope{hasCode: true, code: "S", message: "success", data: []byte(`{ "a" : [ 1 , -2.5e+3 , 0 , true , false , null , "\u00e9\n" ] }`)}},
		{name: "message null", body: `{"operateCode":"S","message":null}`, want: envelope{hasCode: true, code: "S"}},
		{name: "message with escapes", body: `{"operateCode":"S","message":"\"ok\"\u4e2d"}`, want: envelope{hasCode: true, code: "S", message: `"ok"中`}},
		{name: "operateCode escaped", body: `{"operateCode":"\u0053"}`, want: envelope{hasCode: true, code: "S"}},
		{name: "key escaped", body: `{"\u006fperateCode":"F","message":"x"}`, want: envelope{hasCode: true, code: "F", message: "x"}},
		{name: "non-ASCII data", body: `{"operateCode":"S","data":{"area":"欧洲"}}`, want: envelope{hasCode: true, code: "S", data: []byte(`{"area":"欧洲"}`)}},
		{name: "data null", body: `{"operateCode":"S","data":null}`, want: envelope{hasCode: true, code: "S", data: []byte(`null`)}},
		{name: "empty containers, other keys", body: `{"operateCode":"S","data":[],"x":{},"operate_code":"F"}`, want: envelope{hasCode: true, code: "S", data: []byte(`[]`)}},
		{name: "failure", body: `{"operateCode":"F","message":"card not found"}`, want: envelope{hasCode: true, code: "F", message: "card not found"}},
		{name: "no operateCode", body: `{"message":"success"}`, want: envelope{message: "success"}},
		{name: "empty object", body: `{}`, want: envelope{}},
		{name: "operateCode nested only", body: `{"data":{"operateCode":"S"}}`, want: envelope{data: []byte(`{"operateCode":"S"}`)}},
		{name: "duplicates inside data are data's business", body: `{"operateCode":"S","data":{"a":1,"a":2}}`, want: envelope{hasCode: true, code: "S", data: []byte(`{"a":1,"a":2}`)}},
		{name: "as deep as allowed", body: `{"operateCode":"S","d":` + strings.Repeat("[", maxEnvelopeDepth-1) + strings.Repeat("]", maxEnvelopeDepth-1) + `}`,
			want: envelope{hasCode: true, code: "S"}},

		{name: "operateCode twice, failure first", body: `{"operateCode":"F","message":"card not found","operateCode":"S"}`, wantErr: `the key "operateCode" appears twice`},
		{name: "operateCode twice, same value", body: `{"operateCode":"S","operateCode":"S"}`, wantErr: `the key "operateCode" appears twice`},
		{name: "message twice", body: `{"operateCode":"S","message":"a","message":"b"}`, wantErr: `the key "message" appears twice`},
		{name: "another key twice", body: `{"operateCode":"S","x":1,"x":1}`, wantErr: `the key "x" appears twice`},
		{name: "operateCode twice, once escaped", body: `{"operateCode":"F","operate\u0043ode":"S"}`, wantErr: `the key "operateCode" appears twice`},
		{name: "OPERATECODE", body: `{"OPERATECODE":"S"}`, wantErr: `the key "OPERATECODE" differs from "operateCode" only in case`},
		{name: "OperateCode beside operateCode", body: `{"operateCode":"F","OperateCode":"S"}`, wantErr: `differs from "operateCode" only in case`},
		{name: "an escaped case variant", body: `{"operateCode":"S","\u006fperatecode":"F"}`, wantErr: `the key "operatecode" differs from "operateCode" only in case`},
		{name: "MESSAGE", body: `{"operateCode":"S","MESSAGE":[]}`, wantErr: `differs from "message" only in case`},
		{name: "message with a long s", body: `{"operateCode":"S","meſſage":1}`, wantErr: `differs from "message" only in case`},
		{name: "DATA", body: `{"operateCode":"S","DATA":{}}`, wantErr: `differs from "data" only in case`},
		{name: "dAta", body: `{"operateCode":"S","dAta":1}`, wantErr: `the key "dAta" differs from "data" only in case`},
		{name: "operateCode null", body: `{"operateCode":null}`, wantErr: "operateCode is null, not a JSON string"},
		{name: "operateCode not a string", body: `{"operateCode":1}`, wantErr: "operateCode is 1, not a JSON string"},
		{name: "message not a string", body: `{"operateCode":"S","message":42}`, wantErr: "message is 42, not a JSON string"},
		{name: "message an object", body: `{"operateCode":"S","message":{"a":1}}`, wantErr: `message is {"a":1}, not a JSON string`},
		{name: "array", body: `[{"operateCode":"S"}]`, wantErr: "not a JSON object"},
		{name: "truncated", body: `{"operateCode":"S","data":[{"payId":`, wantErr: "invalid or truncated JSON value"},
		{name: "trailing data", body: `{"operateCode":"S"} {}`, wantErr: "data after the JSON object"},
		{name: "trailing comma", body: `{"operateCode":"S",}`, wantErr: "want a key"},
		{name: "missing colon", body: `{"operateCode" "S"}`, wantErr: "want ':'"},
		{name: "missing comma", body: `{"operateCode":"S" "message":"x"}`, wantErr: "want ',' or '}'"},
		{name: "bad number", body: `{"operateCode":"S","n":01}`, wantErr: "want ',' or '}'"},
		{name: "bad literal", body: `{"operateCode":"S","b":tru}`, wantErr: "invalid or truncated JSON value"},
		{name: "bad escape", body: `{"operateCode":"S","s":"\x"}`, wantErr: "invalid or truncated JSON value"},
		{name: "bad escape in a key", body: `{"operate\Code":"S"}`, wantErr: "invalid JSON string"},
		{name: "control character", body: "{\"operateCode\":\"S\",\"s\":\"a\tb\"}", wantErr: "invalid or truncated JSON value"},
		{name: "invalid UTF-8", body: "{\"operateCode\":\"S\",\"s\":\"\xff\"}", wantErr: "invalid or truncated JSON value"},
		{name: "invalid UTF-8 in a key", body: "{\"operateCode\":\"S\",\"\xc3\":1}", wantErr: "invalid JSON string"},
		{name: "too deep", body: `{"operateCode":"S","d":` + strings.Repeat("[", maxEnvelopeDepth) + strings.Repeat("]", maxEnvelopeDepth) + `}`, wantErr: "nested deeper than 1000 levels"},
		{name: "empty", body: ``, wantErr: "not a JSON object"},
		{name: "HTML", body: `<html></html>`, wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			got, err := scanEnvelope(body)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %+v, %v; want an error containing %q", got, err, tt.wantErr)
				}
			} else if err != nil {
				t.Errorf("got %v, want %+v", err, tt.want)
			} else if got.hasCode != tt.want.hasCode || got.code != tt.want.code || got.message != tt.want.message ||
				!bytes.Equal(got.data, tt.want.data) || (got.data == nil) != (tt.want.data == nil) {
				t.Errorf("got %+v (data %s), want %+v (data %s)", got, got.data, tt.want, tt.want.data)
			}
			checkAgainstReference(t, body)
		})
	}
}

// FuzzScanEnvelope checks scanEnvelope against the reference on any input: both refuse it, or both
// read the same operateCode, message and data.
func FuzzScanEnvelope(f *testing.F) {
	f.Add(documentedReply(f, "/queryAutoRenewalRecord"))
	for _, s := range []string{
		`{"operateCode":"S","message":"success","data":null}`,
		`{"operateCode":"S","OPERATECODE":"F"}`,
		`{"operateCode":"F","operate\u0043ode":"S"}`,
		`{"\u006fperatecode":"S"}`,
		`{"operateCode":"S","meſſage":"x"}`,
		`{"operateCode":"S","message":{"a":1}}`,
		`{"operateCode":"S","data":[1,2.5,-0,1e9,"\ud83d\ude00","\ud800",true,false,null,{}]}`,
		`{"operateCode":"F","message":"card not found"}`,
		`{"a":[[[[]]]],"a":1}`,
		" {\"operateCode\" : \"S\" } \n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstReference(t, body)
	})
}

// TestReferenceEnvelope shows the reference used above can fail: it refuses what scanEnvelope must
// refuse for each reason, so agreeing with it is not agreeing with anything.
func TestReferenceEnvelope(t *testing.T) {
	for _, body := range []string{
		`{"operateCode":"S","operateCode":"S"}`,
		`{"operateCode":"S","OperateCode":"S"}`,
		`{"operateCode":"S","meſſage":"x"}`,
		`{"operateCode":1}`,
		`{"operateCode":"S","message":[]}`,
		"{\"operateCode\":\"S\",\"s\":\"\xff\"}",
		`{"operateCode":"S","d":` + strings.Repeat("[", maxEnvelopeDepth) + strings.Repeat("]", maxEnvelopeDepth) + `}`,
		`[]`,
		`{"operateCode":"S"} {}`,
	} {
		if env, ok := referenceEnvelope([]byte(body)); ok {
			t.Errorf("the reference reads %q as %+v", body, env)
		}
	}
	env, ok := referenceEnvelope([]byte(`{"data":[1],"message":null,"operateCode":"\u0046"}`))
	if !ok || !env.hasCode || env.code != "F" || env.message != "" || string(env.data) != "[1]" {
		t.Errorf("the reference reads %+v, %v", env, ok)
	}
}

// TestDecodeReply: an answer is decoded once, into the operation's data type; everything else is an
// *APIError or a *DecodeError, and the operateCode is returned for the log when there is one.
func TestDecodeReply(t *testing.T) {
	type want struct {
		code      string // the operateCode returned
		api       bool   // an *APIError
		decode    bool   // a *DecodeError
		field     string // its Field
		errSubstr string
	}
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		out         func() any
		check       func(t *testing.T, out any) // on success
		want        want
	}{
		{"orders", 200, "application/json", `{"operateCode":"S","message":"success","data":{"deviceCode":"8985","orderList":[{"orderStatus":"2","expireDate":"2024-07-31"}]}}`,
			func() any { return new(OrderList) }, func(t *testing.T, out any) {
				l := out.(*OrderList)
				if l.DeviceCode != "8985" || len(l.OrderList) != 1 || l.OrderList[0].OrderStatus != OrderStatusInUse || l.OrderList[0].ExpireDate != "2024-07-31" {
					t.Errorf("decoded %+v", l)
				}
			}, want{code: "S"}},
		{"Content-Type with parameters", 200, "application/json; charset=utf-8", `{"operateCode":"S","data":{"a":"b"}}`,
			func() any { return new(OpenData) }, func(t *testing.T, out any) {
				if d := *out.(*OpenData); len(d) != 1 || d["a"] != "b" {
					t.Errorf("decoded %v", d)
				}
			}, want{code: "S"}},
		{"a +json Content-Type", 200, "application/vnd.linksfield+json", `{"operateCode":"S"}`,
			func() any { return new(OpenData) }, func(t *testing.T, out any) {
				if d := *out.(*OpenData); d != nil {
					t.Errorf("decoded %v from no data", d)
				}
			}, want{code: "S"}},
		{"data null leaves out alone", 200, "application/json", `{"operateCode":"S","data":null}`,
			func() any { return &[]AutoRenewalRecord{{PayId: "kept"}} }, func(t *testing.T, out any) {
				if r := *out.(*[]AutoRenewalRecord); len(r) != 1 || r[0].PayId != "kept" {
					t.Errorf("out is now %+v", r)
				}
			}, want{code: "S"}},
		{"failure", 200, "application/json", `{"operateCode":"F","message":"card not found","data":"x"}`,
			func() any { return new(OrderList) }, nil, want{code: "F", api: true, errSubstr: `operateCode "F": card not found`}},
		{"failure with 404", 404, "application/json", `{"operateCode":"F","message":"unknown device"}`,
			func() any { return new(OrderList) }, nil, want{code: "F", api: true, errSubstr: `HTTP 404, operateCode "F": unknown device`}},
		{"502 with an ambiguous body", 502, "application/json", `{"operateCode":"F","operateCode":"S"}`,
			func() any { return new(OrderList) }, nil, want{api: true, errSubstr: `HTTP 502: "{\"operateCode\"`}},
		{"operateCode twice", 200, "application/json", `{"operateCode":"F","message":"x","operateCode":"S"}`,
			func() any { return new(OrderList) }, nil, want{decode: true, errSubstr: `the key "operateCode" appears twice`}},
		{"a case variant", 200, "application/json", `{"OPERATECODE":"S"}`,
			func() any { return new(OrderList) }, nil, want{decode: true, errSubstr: `differs from "operateCode" only in case`}},
		{"not JSON", 200, "text/plain", `{"operateCode":"S"}`,
			func() any { return new(OrderList) }, nil, want{code: "S", decode: true, errSubstr: "the Content-Type is not JSON"}},
		{"no operateCode", 200, "application/json", `{"data":{}}`,
			func() any { return new(OrderList) }, nil, want{decode: true, errSubstr: "the body has no operateCode"}},
		{"orderList a string", 200, "application/json", `{"operateCode":"S","data":{"orderList":"x"}}`,
			func() any { return new(OrderList) }, nil, want{code: "S", decode: true, field: "data.orderList", errSubstr: "data.orderList:"}},
		{"orderStatus a number", 200, "application/json", `{"operateCode":"S","data":{"orderList":[{"orderStatus":2}]}}`,
			func() any { return new(OrderList) }, nil, want{code: "S", decode: true, field: "data.orderList.0.orderStatus"}},
		{"renewals an object", 200, "application/json", `{"operateCode":"S","data":{"payId":"x"}}`,
			func() any { return new([]AutoRenewalRecord) }, nil, want{code: "S", decode: true, field: "data"}},
		{"a renewal's payId a number", 200, "application/json", `{"operateCode":"S","data":[{"payId":7}]}`,
			func() any { return new([]AutoRenewalRecord) }, nil, want{code: "S", decode: true, field: "data.0.payId"}},
		{"created order a list", 200, "application/json", `{"operateCode":"S","data":[]}`,
			func() any { return new(CreatedOrder) }, nil, want{code: "S", decode: true, field: "data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.out()
			code, err := decodeReply("listOrders", tt.status, tt.contentType, []byte(tt.body), out)
			if code != tt.want.code {
				t.Errorf("operateCode %q, want %q", code, tt.want.code)
			}
			var ae *APIError
			var de *DecodeError
			isAPI, isDecode := errors.As(err, &ae), errors.As(err, &de)
			if isAPI != tt.want.api || isDecode != tt.want.decode {
				t.Fatalf("got %T %v; want APIError %v, DecodeError %v", err, err, tt.want.api, tt.want.decode)
			}
			if err == nil {
				tt.check(t, out)
				return
			}
			t.Log(err)
			if !strings.Contains(err.Error(), "listOrders") || !strings.Contains(err.Error(), tt.want.errSubstr) {
				t.Errorf("got %q, want it to name listOrders and contain %q", err, tt.want.errSubstr)
			}
			if isAPI && (ae.StatusCode != tt.status || string(ae.Body) != tt.body) {
				t.Errorf("got %+v", ae)
			}
			if isDecode && (!sameField(de.Field, tt.want.field) || de.StatusCode != tt.status || de.ContentType != tt.contentType || errors.Unwrap(de) == nil) {
				t.Errorf("got Field %q StatusCode %d ContentType %q, want Field %q", de.Field, de.StatusCode, de.ContentType, tt.want.field)
			}
		})
	}
}

// sameField reports whether a DecodeError's Field is want, a path with array indices
// ("data.orderList.1.orderStatus"), as GOEXPERIMENT=jsonv2's encoding/json names it, or want without
// its indices ("data.orderList.orderStatus"), as encoding/json v1 does.
func sameField(got, want string) bool {
	if got == want {
		return true
	}
	parts := strings.Split(want, ".")
	kept := parts[:0]
	for _, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			kept = append(kept, p)
		}
	}
	return got == strings.Join(kept, ".")
}

// TestBodyStart: error messages quote at most 120 bytes of the body, cut at a rune boundary.
func TestBodyStart(t *testing.T) {
	long := strings.Repeat("a", 119) + "欧洲"
	tests := []struct{ body, want string }{
		{"", `""`},
		{"boom", `"boom"`},
		{strings.Repeat("x", 120), `"` + strings.Repeat("x", 120) + `"`},
		{long, `"` + strings.Repeat("a", 119) + `" (125 bytes in all)`},
		{"\xff", `"\xff"`},
	}
	for _, tt := range tests {
		if got := bodyStart([]byte(tt.body)); got != tt.want {
			t.Errorf("bodyStart(%q) = %s, want %s", tt.body, got, tt.want)
		}
	}
}
