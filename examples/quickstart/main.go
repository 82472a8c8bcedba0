// Command quickstart is the Go example of the README: list a card's auto-renewals.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/vshop-go/vshop"
)

func main() {
	c, err := vshop.NewClient(vshop.UATURL, "P000270")
	if err != nil {
		log.Fatal(err)
	}
	records, err := c.ListAutoRenewals(context.Background(), vshop.ListAutoRenewalsRequest{
		DeviceCode: "89852420180910340793",
	})
	if err != nil {
		log.Fatal(err) // *vshop.APIError, *vshop.DecodeError, *vshop.ValidationError (errors.As)
	}
	for _, r := range records {
		fmt.Println(r.PayId, r.OrderNo, r.ServicePlanShowName)
	}
}
