package vshop

import (
	"encoding/json"
	"strings"
	"testing"
)

// slowSuccess is what checkReply decides without its fast path: json.Unmarshal into an envelopeHead
// succeeds and the operateCode is "S".
func slowSuccess(body []byte) bool {
	var head envelopeHead
	return json.Unmarshal(body, &head) == nil && head.OperateCode != nil && *head.OperateCode == SuccessCode
}

// TestSuccessEnvelope checks the fast path takes the common answers and leaves everything doubtful
// to json.Unmarshal: it never says yes where json.Unmarshal does not.
func TestSuccessEnvelope(t *testing.T) {
	tests := []struct {
		name string
		body string
		fast bool // want successEnvelope to decide it is a success
	}{
		{"documented listAutoRenewals", string(documentedReply(t, "/queryAutoRenewalRecord")), true},
		{"minimal", `{"operateCode":"S"}`, true},
		{"whitespace everywhere", " {\n\t\"message\" : \"success\" ,\r\n \"operateCode\" : \"S\" , \"data\" : { \"a\" : [ 1 , -2.5e+3 , 0 , true , false , null , \"\\u00e9\\n\" ] } } \n", true},
		{"message null", `{"operateCode":"S","message":null}`, true},
		{"message with escapes", `{"operateCode":"S","message":"\"ok\"\u4e2d"}`, true},
		{"non-ASCII data", `{"operateCode":"S","data":{"area":"欧洲"}}`, true},
		{"empty containers", `{"operateCode":"S","data":[],"x":{}}`, true},

		{"failure", `{"operateCode":"F","message":"card not found"}`, false},
		{"no operateCode", `{"message":"success"}`, false},
		{"empty object", `{}`, false},
		{"operateCode null", `{"operateCode":null}`, false},
		{"operateCode not a string", `{"operateCode":1}`, false},
		{"operateCode escaped", `{"operateCode":"\u0053"}`, false},
		{"operateCode twice", `{"operateCode":"S","operateCode":"S"}`, false},
		{"operateCode in another case", `{"operateCode":"S","OperateCode":"F"}`, false},
		{"escaped key", `{"operateCode":"S","operate\u0043ode":"F"}`, false},
		{"key that may fold", `{"operateCode":"S","operate_code":"F"}`, false},
		{"message not a string", `{"operateCode":"S","message":42}`, false},
		{"message in another case, not a string", `{"operateCode":"S","MESSAGE":[]}`, false},
		{"message with a non-ASCII fold, not a string", `{"operateCode":"S","meſſage":1}`, false},
		{"operateCode nested only", `{"data":{"operateCode":"S"}}`, false},
		{"array", `[{"operateCode":"S"}]`, false},
		{"truncated", `{"operateCode":"S","data":[{"payId":`, false},
		{"trailing data", `{"operateCode":"S"} {}`, false},
		{"trailing comma", `{"operateCode":"S",}`, false},
		{"bad number", `{"operateCode":"S","n":01}`, false},
		{"bad literal", `{"operateCode":"S","b":tru}`, false},
		{"bad escape", `{"operateCode":"S","s":"\x"}`, false},
		{"control character", "{\"operateCode\":\"S\",\"s\":\"a\tb\"}", false},
		{"invalid UTF-8", "{\"operateCode\":\"S\",\"s\":\"\xff\"}", false},
		{"too deep", `{"operateCode":"S","d":` + strings.Repeat("[", maxEnvelopeDepth) + strings.Repeat("]", maxEnvelopeDepth) + `}`, false},
		{"empty", ``, false},
		{"HTML", `<html></html>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			fast := successEnvelope(body)
			if fast != tt.fast {
				t.Errorf("successEnvelope = %v, want %v", fast, tt.fast)
			}
			if fast && !slowSuccess(body) {
				t.Errorf("successEnvelope says success where json.Unmarshal does not")
			}
		})
	}
}

// FuzzSuccessEnvelope checks that the fast path never says success where json.Unmarshal does not.
func FuzzSuccessEnvelope(f *testing.F) {
	f.Add(documentedReply(f, "/queryAutoRenewalRecord"))
	for _, s := range []string{
		`{"operateCode":"S","message":"success","data":null}`,
		`{"operateCode":"S","OPERATECODE":"F"}`,
		`{"operateCode":"S","message":{"a":1}}`,
		`{"operateCode":"S","data":[1,2.5,-0,1e9,"\ud83d\ude00",true,false,null,{}]}`,
		`{"operateCode":"F","message":"card not found"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if successEnvelope(body) && !slowSuccess(body) {
			t.Fatalf("successEnvelope says success, json.Unmarshal does not: %q", body)
		}
	})
}
