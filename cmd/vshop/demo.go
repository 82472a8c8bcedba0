package main

import (
	"cmp"
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
	"github.com/vshop-go/vshop/vshoptest"
)

// demoCard is the card the demo buys for: the ICCID of Linksfield's documented examples, one of the
// sandbox's test cards.
const demoCard = "89852420180910340793"

// demoPartner is the partner code the demo uses unless --partner-code says otherwise: the one of
// Linksfield's documented examples.
const demoPartner = "P000270"

// demoSteps is the number of calls the demo makes.
const demoSteps = 7

// newDemoCommand is `vshop demo`: the whole purchase flow against an in-process sandbox.
func newDemoCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Walk the whole purchase flow against an in-process sandbox",
		Long: `Start the sandbox inside this process on a free loopback port and walk the purchase flow
through the client, printing each step: verify the card, list its plans, order one with
auto-renewal, list the orders, list the auto-renewals, cancel the new one, list them again.
Nothing leaves this machine. --language, --terminal, --mark, --partner-code and --timeout apply.`,
		Example: `  vshop demo
  go run ./cmd/vshop demo
  vshop demo --language es`,
		Args: cobra.NoArgs,
		RunE: a.action(func(cmd *cobra.Command) error { return a.demo(cmd.Context()) }),
	}
}

// demo runs the purchase flow against a sandbox it starts and stops, writing each step to stdout.
func (a *app) demo(ctx context.Context) error {
	srv, err := vshoptest.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	base := srv.URL
	partner := cmp.Or(a.partnerCode, demoPartner)
	c, err := a.newClient(base, partner)
	if err != nil {
		return err
	}
	w := &demoWriter{w: a.stdout}
	fmt.Fprintf(w.w, "vshop demo: the Vshop purchase flow, step by step, against a sandbox inside this process\n")
	fmt.Fprintf(w.w, "  service  %s (loopback only: nothing leaves this machine)\n", base)
	fmt.Fprintf(w.w, "  partner  %s, card %s, language %s, terminal %s, mark %s\n",
		partner, demoCard, a.language, a.terminal, a.mark)

	w.step("verify the card", "/singleVerify", "verify --device "+demoCard)
	verified, err := c.VerifyCard(ctx, vshop.VerifyCardRequest{DeviceCode: demoCard})
	if err != nil {
		return err
	}
	status, _ := verified["status"].(string)
	w.result("the card is %s", cmp.Or(status, "valid"))

	w.step("list the plans the card can buy", "/singleServicePlanPage", "plans --device "+demoCard)
	plans, err := c.ListPlans(ctx, vshop.ListPlansRequest{DeviceCode: demoCard})
	if err != nil {
		return err
	}
	catalogue := plans
	if len(catalogue.Plans) == 0 {
		return fmt.Errorf("the sandbox offers no plan for card %s", demoCard)
	}
	w.result("%d plans:", len(catalogue.Plans))
	rows := [][]string{{"PACKAGE CODE", "SERVICE PLAN CODE", "NAME", "TYPE", "AREA", "PRICE"}}
	for _, p := range catalogue.Plans {
		rows = append(rows, []string{p.PackageCode, p.ServicePlanCode, p.ServicePlanShowName,
			packageTypeName(p.PackageType), p.Area, p.PayAmount + " " + p.PayCurrency})
	}
	w.table(rows)

	p := catalogue.Plans[0]
	w.step(fmt.Sprintf("order the first plan, %q, with auto-renewal", p.ServicePlanShowName), "/singleOrder",
		fmt.Sprintf("orders create --device %s --package-code %s \\\n%s    --service-plan-code %s --period 1 --amount %s --currency %s --auto-renew",
			demoCard, p.PackageCode, indent, p.ServicePlanCode, p.PayAmount, p.PayCurrency))
	order, err := c.CreateOrder(ctx, vshop.CreateOrderRequest{
		DeviceCode: demoCard, PackageCode: p.PackageCode, ServicePlanCode: p.ServicePlanCode, ServicePlanShowName: p.ServicePlanShowName,
		OrderPeriod: "1", PayAmount: p.PayAmount, PayCurrency: p.PayCurrency, AutoRenewal: vshop.AutoRenewalOn,
	})
	if err != nil {
		return err
	}
	w.result("ordered: orderNo %s, payId %s", order.OrderNo, order.PayId)

	w.step("list the card's orders", "/singleQueryOrder", "orders list --device "+demoCard)
	orders, err := c.ListOrders(ctx, vshop.ListOrdersRequest{DeviceCode: demoCard})
	if err != nil {
		return err
	}
	w.result("%s:", count(len(orders.OrderList), "order"))
	rows = [][]string{{"PLAN", "STATUS", "PERIODS", "DAYS LEFT", "EXPIRES"}}
	for _, o := range orders.OrderList {
		rows = append(rows, []string{o.ServicePlanShowName, orderStatusName(o.OrderStatus), cmp.Or(o.Time, "-"),
			cmp.Or(o.RemainingDays, "-"), cmp.Or(o.ExpireDate, "-")})
	}
	w.table(rows)

	listRenewals := func() ([]vshop.AutoRenewalRecord, error) {
		return c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{DeviceCode: demoCard})
	}
	ours := func(r vshop.AutoRenewalRecord) bool { return r.PayId == order.PayId && r.OrderNo == order.OrderNo }

	w.step("list the card's auto-renewals", "/queryAutoRenewalRecord", "auto-renewals list --device "+demoCard)
	renewals, err := listRenewals()
	if err != nil {
		return err
	}
	found := false
	w.result("%s:", count(len(renewals), "auto-renewal"))
	rows = [][]string{{"PAY ID", "ORDER NO", "PLAN", "PERIODS", "SINCE", "NOTE"}}
	for _, r := range renewals {
		mine := "-"
		if ours(r) {
			found, mine = true, "the order just made"
		}
		rows = append(rows, []string{r.PayId, r.OrderNo, r.ServicePlanShowName, r.OrderPeriod, r.SubscriptionTime, mine})
	}
	w.table(rows)
	if !found {
		return fmt.Errorf("the auto-renewal of order %s is not listed", order.OrderNo)
	}

	w.step("cancel that auto-renewal", "/cancelAutoRenewalRecord",
		fmt.Sprintf("auto-renewals cancel --device %s --pay-id %s --order-no %s", demoCard, order.PayId, order.OrderNo))
	if _, err := c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{
		DeviceCode: demoCard, PayId: order.PayId, OrderNo: order.OrderNo,
	}); err != nil {
		return err
	}
	w.result("cancelled")

	w.step("list the auto-renewals again", "/queryAutoRenewalRecord", "auto-renewals list --device "+demoCard)
	renewals, err = listRenewals()
	if err != nil {
		return err
	}
	for _, r := range renewals {
		if ours(r) {
			return fmt.Errorf("the auto-renewal of order %s is still listed after it was cancelled", order.OrderNo)
		}
	}
	w.result("%s left: the cancelled one is gone", count(len(renewals), "auto-renewal"))

	fmt.Fprintf(w.w, "\nDone: %d calls, each signed by the client (sign = MD5 of the sorted, compact JSON body; see\n", demoSteps)
	fmt.Fprintf(w.w, "'vshop sign --explain') and checked by the sandbox. To make them yourself, run 'vshop sandbox'\n")
	fmt.Fprintf(w.w, "and, with %s=%s, the 'same as' commands above.\n", partnerCodeEnv, partner)
	return nil
}

// indent lines up continuation lines and tables under the text of a step's "result".
const indent = "           "

// demoWriter prints the demo's numbered steps.
type demoWriter struct {
	w io.Writer
	n int
}

// step starts the next step: what it does, the operation it calls and the CLI command that does the same.
func (d *demoWriter) step(title, path, command string) {
	d.n++
	fmt.Fprintf(d.w, "\nStep %d of %d: %s\n", d.n, demoSteps, title)
	fmt.Fprintf(d.w, "  call     POST %s\n", path)
	fmt.Fprintf(d.w, "  same as  vshop --env sandbox %s\n", command)
}

// result prints the key result of the current step.
func (d *demoWriter) result(format string, args ...any) {
	fmt.Fprintf(d.w, "  result   "+format+"\n", args...)
}

// table prints rows (the first is the header) in aligned columns under the result.
func (d *demoWriter) table(rows [][]string) {
	if len(rows) < 2 {
		return
	}
	(&table{rows: rows}).write(d.w, indent)
}

// count writes n and the noun, plural when n is not 1: "1 order", "no orders", "3 orders".
func count(n int, noun string) string {
	switch n {
	case 0:
		return "no " + noun + "s"
	case 1:
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// packageTypeName names a plan type for people, with the library's name of the code.
func packageTypeName(t vshop.PackageType) string { return cmp.Or(t.Name(), string(t)) }

// orderStatusName names an order status for people, with the library's name of the code.
func orderStatusName(s vshop.OrderStatus) string { return cmp.Or(s.Name(), string(s), "-") }
