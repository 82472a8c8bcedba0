package vshop

import (
	"encoding/json"
	"errors"
	"reflect"
)

// Response is satisfied by every response the generated client returns (*generated.ListPlansResponse
// and the others).
type Response interface {
	StatusCode() int
	ContentType() string
	GetBody() []byte
}

// Data turns the two results of a generated client call into the envelope's typed data, or an error.
// T is the type of the operation's data field, for example []generated.AutoRenewalRecord for
// listAutoRenewals or generated.OrderList for listOrders:
//
//	records, err := vshop.Data[[]generated.AutoRenewalRecord](c.ListAutoRenewalsWithResponse(ctx, body))
//
// err is returned unchanged when it is not nil. A failure envelope or a non-2xx status gives an
// *APIError, a body that cannot be decoded a *DecodeError; this holds for clients built without
// [NewClient] too.
func Data[T any](resp Response, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if resp == nil || (reflect.ValueOf(resp).Kind() == reflect.Pointer && reflect.ValueOf(resp).IsNil()) {
		return zero, errors.New("vshop: Data: the response is nil")
	}
	status, ct, body := resp.StatusCode(), resp.ContentType(), resp.GetBody()
	if _, err := checkReply("", status, ct, body); err != nil {
		return zero, err
	}
	var env struct {
		Data T `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return zero, &DecodeError{StatusCode: status, ContentType: ct, BodyStart: bodyStart(body), Err: err}
	}
	return env.Data, nil
}
