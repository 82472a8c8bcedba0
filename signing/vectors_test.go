package signing_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vshop-go/vshop/internal/rawverify"
	"github.com/vshop-go/vshop/signing"
)

// vectorsFile is the language-neutral test vectors published with the spec; the Python and Node
// example signers in examples/signers check the same file.
const vectorsFile = "../openapi/signing-vectors.json"

type vectorCase struct {
	Name             string  `json:"name"`
	Source           string  `json:"source"`
	Body             *string `json:"body"`
	BodyBase64       string  `json:"bodyBase64"`
	SignContent      string  `json:"signContent"`
	Sign             string  `json:"sign"`
	Wire             string  `json:"wire"`
	WrongSignContent *string `json:"wrongSignContent"`
	NotSign          string  `json:"notSign"`
	Error            bool    `json:"error"`
	Reason           string  `json:"reason"`
}

// bytes returns the exact request body of the case.
func (c vectorCase) bytes(t *testing.T) []byte {
	t.Helper()
	switch {
	case c.Body != nil && c.BodyBase64 == "":
		return []byte(*c.Body)
	case c.Body == nil && c.BodyBase64 != "":
		b, err := base64.StdEncoding.DecodeString(c.BodyBase64)
		if err != nil {
			t.Fatalf("bodyBase64: %v", err)
		}
		return b
	}
	t.Fatal("a case needs exactly one of body and bodyBase64")
	return nil
}

func loadVectors(t *testing.T) (vectors, negative, errs []vectorCase) {
	t.Helper()
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors  []vectorCase `json:"vectors"`
		Negative []vectorCase `json:"negative"`
		Errors   []vectorCase `json:"errors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", vectorsFile, err)
	}
	if len(f.Vectors) == 0 || len(f.Negative) == 0 || len(f.Errors) == 0 {
		t.Fatalf("%s: want vectors, negative and errors, got %d, %d, %d", vectorsFile, len(f.Vectors), len(f.Negative), len(f.Errors))
	}
	return f.Vectors, f.Negative, f.Errors
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestVectorsFileKeepsTheDocumentedExamples guards the file itself: the two signed examples printed
// by Linksfield must stay in it with their printed values, so that the file cannot drift to match a
// broken signer.
func TestVectorsFileKeepsTheDocumentedExamples(t *testing.T) {
	vectors, _, _ := loadVectors(t)
	want := map[string]string{
		`{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0"}`: "ea7a3bba7e345e0b8ca7f7e3b43d6e72",
		`{"area":"欧洲","deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"0","tradeTime":"1645782486394","tradeType":"singleServicePlanPage","version":"3.0"}`:                      "3fdb15332726c77cd792ea2328f98a80",
	}
	for _, v := range vectors {
		if v.Source == "linksfield" && want[v.SignContent] == v.Sign {
			delete(want, v.SignContent)
		}
	}
	for sc, sign := range want {
		t.Errorf("no vector with source linksfield has signContent %s and sign %s", sc, sign)
	}
}

func TestVectors(t *testing.T) {
	vectors, _, _ := loadVectors(t)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			body := v.bytes(t)
			if got := md5Hex(v.SignContent); got != v.Sign {
				t.Fatalf("the file is inconsistent: MD5(signContent) = %s, sign = %s", got, v.Sign)
			}
			can, err := signing.Canonical(body)
			if err != nil {
				t.Fatalf("Canonical(%q): %v", body, err)
			}
			if string(can) != v.SignContent {
				t.Errorf("Canonical(%q)\n got %q\nwant %q", body, can, v.SignContent)
			}
			sign, err := signing.Sign(body)
			if err != nil {
				t.Fatalf("Sign(%q): %v", body, err)
			}
			if sign != v.Sign {
				t.Errorf("Sign(%q) = %s, want %s", body, sign, v.Sign)
			}
		})
	}
}

func TestNegativeVectors(t *testing.T) {
	_, negative, _ := loadVectors(t)
	for _, v := range negative {
		t.Run(v.Name, func(t *testing.T) {
			body := v.bytes(t)
			if v.NotSign == "" {
				t.Fatal("the file is inconsistent: no notSign")
			}
			if v.WrongSignContent != nil && md5Hex(*v.WrongSignContent) != v.NotSign {
				t.Fatalf("the file is inconsistent: MD5(wrongSignContent) = %s, notSign = %s", md5Hex(*v.WrongSignContent), v.NotSign)
			}
			can, err := signing.Canonical(body)
			if err != nil {
				t.Fatalf("Canonical(%q): %v", body, err)
			}
			if v.WrongSignContent != nil && string(can) == *v.WrongSignContent {
				t.Errorf("Canonical(%q) produced the wrong signContent %q", body, can)
			}
			sign, err := signing.Sign(body)
			if err != nil {
				t.Fatalf("Sign(%q): %v", body, err)
			}
			if sign == v.NotSign {
				t.Errorf("Sign(%q) produced the wrong sign %s", body, sign)
			}
		})
	}
}

func TestErrorVectors(t *testing.T) {
	_, _, errs := loadVectors(t)
	for _, v := range errs {
		t.Run(v.Name, func(t *testing.T) {
			if !v.Error {
				t.Fatal(`the file is inconsistent: an entry of "errors" without "error": true`)
			}
			body := v.bytes(t)
			if can, err := signing.Canonical(body); !errors.Is(err, signing.ErrInvalidBody) {
				t.Errorf("Canonical(%q) = %q, %v; want an error wrapping ErrInvalidBody (%s)", body, can, err, v.Reason)
			}
			if sign, err := signing.Sign(body); !errors.Is(err, signing.ErrInvalidBody) {
				t.Errorf("Sign(%q) = %q, %v; want an error wrapping ErrInvalidBody (%s)", body, sign, err, v.Reason)
			}
		})
	}
}

// TestVectorsWire checks that SignBody, with the file's signer values, sends each vector's wire body
// exactly, and that the wire body verifies over its raw text (internal/rawverify, independent of this
// package).
func TestVectorsWire(t *testing.T) {
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Signer struct {
			PartnerCode string `json:"partnerCode"`
			Version     string `json:"version"`
			TradeType   string `json:"tradeType"`
			TradeTime   string `json:"tradeTime"`
		} `json:"signer"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	ms, err := strconv.ParseInt(f.Signer.TradeTime, 10, 64)
	if err != nil || f.Signer.PartnerCode == "" || f.Signer.Version == "" || f.Signer.TradeType == "" {
		t.Fatalf("the file's signer is incomplete: %+v (%v)", f.Signer, err)
	}
	s := &signing.Signer{
		PartnerCode: f.Signer.PartnerCode, Version: f.Signer.Version,
		TradeTypes: map[string]string{"/op": f.Signer.TradeType},
		Now:        func() time.Time { return time.UnixMilli(ms) },
	}
	vectors, _, _ := loadVectors(t)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			if v.Wire == "" {
				t.Fatal("the file is inconsistent: a vector without wire")
			}
			got, err := s.SignBody(v.bytes(t), "/op")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != v.Wire {
				t.Errorf("SignBody(%s)\n got %s\nwant %s", v.bytes(t), got, v.Wire)
			}
			var fields map[string]any
			if err := json.Unmarshal(v.bytes(t), &fields); err != nil {
				t.Fatal(err)
			}
			complete := true
			for _, k := range []string{"partnerCode", "version", "tradeType", "tradeTime"} {
				complete = complete && fields[k] != nil && fields[k] != ""
			}
			if complete && !strings.HasSuffix(v.Wire, `,"sign":"`+v.Sign+`"}`) {
				t.Errorf("nothing to fill, yet the wire body's sign is not the vector's %s: %s", v.Sign, v.Wire)
			}
			if err := rawverify.Verify([]byte(v.Wire)); err != nil {
				t.Errorf("the wire body does not verify over its raw text: %v", err)
			}
		})
	}
}
