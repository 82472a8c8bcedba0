package specvalidate

import (
	"context"
	"errors"
	"testing"
)

func TestRequest(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const valid = `{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"queryAutoRenewalRecord","version":"3.0","sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"}`
	tests := []struct {
		name, path, body string
		want             string // "" = valid
	}{
		{"valid", "/queryAutoRenewalRecord", valid, ""},
		{"letters in deviceCode", "/queryAutoRenewalRecord", replace(valid, `"deviceCode":"89852420180910340793"`, `"deviceCode":"8985abc"`), "deviceCode: must match ^[0-9]+$"},
		{"empty deviceCode", "/queryAutoRenewalRecord", replace(valid, `"deviceCode":"89852420180910340793"`, `"deviceCode":""`), "deviceCode: must not be empty"},
		{"missing deviceCode", "/queryAutoRenewalRecord", replace(valid, `"deviceCode":"89852420180910340793",`, ``), "deviceCode: is required"},
		{"unknown languageCode", "/queryAutoRenewalRecord", replace(valid, `"languageCode":"1"`, `"languageCode":"99"`), `languageCode: must be one of "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"`},
		{"number instead of string", "/queryAutoRenewalRecord", replace(valid, `"tradeTime":"1645683857572"`, `"tradeTime":1645683857572`), "tradeTime: must be a JSON string (every Vshop value is a string, numbers included)"},
		{"bad sign format", "/queryAutoRenewalRecord", replace(valid, `"sign":"ea7a3bba7e345e0b8ca7f7e3b43d6e72"`, `"sign":"XYZ"`), "sign: must match ^[0-9a-f]{32}$"},
		{"cancel needs payId", "/cancelAutoRenewalRecord", replace(replace(valid, `"version":"3.0"`, `"version":"3.0","orderNo":"NO1"`), `"tradeType":"queryAutoRenewalRecord"`, `"tradeType":"cancelAutoRenewalRecord"`), "payId: is required"},
		{"tradeType of another operation", "/cancelAutoRenewalRecord", valid, `tradeType: must be one of "cancelAutoRenewalRecord"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Request(context.Background(), "POST", tt.path, []byte(tt.body))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want *FieldError %q, got %T %v", tt.want, err, err)
			}
			if fe.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", fe.Error(), tt.want)
			}
		})
	}
}

func TestRequestUnknownPathAndBadJSON(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Request(context.Background(), "POST", "/nope", []byte(`{}`)); !errors.Is(err, ErrUnknownOperation) {
		t.Errorf("unknown path: got %v, want ErrUnknownOperation", err)
	}
	err = v.Request(context.Background(), "POST", "/singleVerify", []byte(`{"deviceCode":`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "" {
		t.Fatalf("malformed JSON: got %T %v", err, err)
	}
	t.Log(fe)
}

func replace(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("replace: " + old + " not found")
}
