package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
)

const ordersExample = `  vshop --env sandbox orders create --device 89852420180910340793 \
      --package-code PACKAGE20180428000007 --service-plan-code SP-EU-1GB-30D --period 1 --amount 4.99 --currency USD --auto-renew
  vshop --env sandbox orders list --device 89852420180910340793 -o table
  vshop --env sandbox orders sync --file order.json`

// newOrdersCommand is `vshop orders`: create, list and report orders.
func newOrdersCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "orders",
		Short:   "Create, list and report orders",
		Example: ordersExample,
		Args:    cobra.NoArgs,
		RunE:    requireSubcommand,
	}
	cmd.AddCommand(newOrdersCreateCommand(a), newOrdersListCommand(a), newOrdersSyncCommand(a))
	return cmd
}

const ordersCreateExample = `  vshop --env sandbox orders create --device 89852420180910340793 \
      --package-code PACKAGE20180428000007 --service-plan-code SP-EU-1GB-30D --period 1 --amount 4.99 --currency USD

  # With auto-renewal, and an order number of your own so that a repeat cannot order twice
  vshop --env sandbox orders create --device 89852420180910340793 \
      --package-code PACKAGE20180428000007 --service-plan-code SP-EU-1GB-30D --period 1 --amount 4.99 --currency USD \
      --auto-renew --order-no NO2025060100000000001

  # The signed body that would be sent to production, sending nothing
  vshop --env production orders create --device 89852420180910340793 \
      --package-code PACKAGE20180428000007 --service-plan-code SP-EU-1GB-30D --period 1 --amount 4.99 --currency USD --dry-run`

// newOrdersCreateCommand is `vshop orders create`: /singleOrder, step 3 of the purchase flow.
func newOrdersCreateCommand(a *app) *cobra.Command {
	var (
		device, packageCode, servicePlanCode, period, amount, currency, orderNo, payID string
		autoRenew                                                                      bool
		w                                                                              writeFlags
	)
	cmd := &cobra.Command{
		Use: "create --device ICCID --package-code P --service-plan-code S --period N --amount X --currency CUR " +
			"[--auto-renew] [--order-no N] [--pay-id ID] [--dry-run] [--yes]",
		Short: "Order a plan for a card (/singleOrder)",
		Long: `Order a plan for a card: step 3 of the purchase flow (POST /singleOrder). Take --package-code,
--service-plan-code, --amount and --currency from 'vshop plans'.

Without --order-no the request is sent exactly once, even if the connection fails. With --order-no
(and --pay-id) of your own the client may retry a failed attempt, and you may repeat the command:
Linksfield documents orderNo as the id that marks an order request as unique, so a repeat is the same
order request (that the Mall then books it only once is inferred, not documented; the sandbox does).` + writeHelp,
		Example: ordersCreateExample,
		Args:    noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			err := firstError(
				checkDevice("--device", device),
				checkRequired("--package-code", packageCode, "the plan's packageCode, from 'vshop plans'"),
				checkRequired("--service-plan-code", servicePlanCode, "the plan's servicePlanCode, from 'vshop plans'"),
				checkField("--period", vshop.OpCreateOrder, "orderPeriod", period, "a positive whole number of plan periods, such as 1"),
				checkField("--amount", vshop.OpCreateOrder, "payAmount", amount, "a decimal amount such as 4.99"),
				checkField("--currency", vshop.OpCreateOrder, "payCurrency", currency, "a 3-letter ISO 4217 code such as USD"),
			)
			if err != nil {
				return err
			}
			renewal := vshop.AutoRenewalOff
			if autoRenew {
				renewal = vshop.AutoRenewalOn
			}
			what := fmt.Sprintf("order %s × %s of plan %s for %s %s for card %s", period, packageCode, servicePlanCode, amount, currency, device)
			return a.write(cmd.Context(), &w, what, func(ctx context.Context, c *apiClient) ([]byte, error) {
				return asJSON(c.CreateOrder(ctx, vshop.CreateOrderRequest{
					DeviceCode: device, PackageCode: packageCode, ServicePlanCode: servicePlanCode, OrderPeriod: period,
					PayAmount: amount, PayCurrency: currency, AutoRenewal: renewal, OrderNo: orderNo, PayId: payID,
				}))
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&device, "device", "", "the card's ICCID (or the device's IMEI), digits only")
	f.StringVar(&packageCode, "package-code", "", "the plan's packageCode")
	f.StringVar(&servicePlanCode, "service-plan-code", "", "the plan's servicePlanCode")
	f.StringVar(&period, "period", "", "how many plan periods to order, a positive whole number")
	f.StringVar(&amount, "amount", "", "the amount paid, a decimal such as 4.99")
	f.StringVar(&currency, "currency", "", "the currency paid, a 3-letter ISO 4217 code such as USD")
	f.BoolVar(&autoRenew, "auto-renew", false, "renew the plan automatically at the end of each period")
	f.StringVar(&orderNo, "order-no", "", "your unique number for this order (a repeat with it is the same order)")
	f.StringVar(&payID, "pay-id", "", "your unique id for this order's payment")
	w.register(cmd)
	return cmd
}

// newOrdersListCommand is `vshop orders list`: /singleQueryOrder, for one card or a batch.
func newOrdersListCommand(a *app) *cobra.Command {
	var device string
	var batch batchFlags
	cmd := &cobra.Command{
		Use:   "list --device ICCID | --devices-file FILE [--concurrency N] [--rate R]",
		Short: "List a card's orders in use and not yet enabled (/singleQueryOrder)",
		Long:  "List a card's orders in use and not yet enabled (POST /singleQueryOrder)." + batchHelp,
		Example: `  vshop --env sandbox orders list --device 89852420180910340793 -o table
  vshop --env sandbox orders list --devices-file cards.txt > orders.jsonl`,
		Args: noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			return a.forDevices(cmd, device, &batch, func(ctx context.Context, c *apiClient, device string) ([]byte, error) {
				return asJSON(c.ListOrders(ctx, vshop.ListOrdersRequest{DeviceCode: device}))
			})
		}),
	}
	cmd.Flags().StringVar(&device, "device", "", "the card's ICCID (or the device's IMEI), digits only")
	batch.register(cmd)
	return cmd
}

const ordersSyncExample = `  vshop --env sandbox orders sync --file order.json
  vshop --env sandbox orders sync --file - < order.json

  # order.json (fields from the spec's example; values in the file are sent as they are)
  {"deviceCode": "89852420180910340793", "packageCode": "DP20190726001274", "orderNo": "NO2023060915590562022",
   "orderPeriod": "1", "payAmount": "12.36", "payCurrency": "GBP", "payId": "P000000002022",
   "payRst": "SUCCESS", "payResultDate": "2022-06-07 15:10:35", "autoRenewal": "0"}`

// newOrdersSyncCommand is `vshop orders sync`: /synPartner/SynOrderInfo, the report of an order whose
// payment the partner collected itself.
func newOrdersSyncCommand(a *app) *cobra.Command {
	var file string
	var w writeFlags
	cmd := &cobra.Command{
		Use:   "sync --file order.json [--dry-run] [--yes]",
		Short: "Report an order paid through a third party (/synPartner/SynOrderInfo)",
		Long: `Report an order whose payment you collected yourself (POST /synPartner/SynOrderInfo).

--file holds one SyncThirdPartyOrderRequest as JSON ("-" reads stdin); its fields are in 'vshop spec'.
A field the request does not have is an error. partnerCode, version, tradeType, tradeTime and sign may
be left out: they are filled and signed. mark, terminal and languageCode left out are taken from
--mark, --terminal and --language. The request is checked against the spec before it is sent. Keys are case-sensitive and may appear
only once; values must be valid UTF-8 and not blank; the file may hold at most 1 MiB.` + writeHelp,
		Example: ordersSyncExample,
		Args:    noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			if err := checkRequired("--file", file, `the JSON file of the order to report ("-" for stdin)`); err != nil {
				return err
			}
			req, err := readSyncFile(file, a.stdin)
			if err != nil {
				return err
			}
			a.devices = append(a.devices, req.DeviceCode)
			what := fmt.Sprintf("report the order %s (payment %s) of card %s", req.OrderNo, req.PayId, req.DeviceCode)
			err = a.write(cmd.Context(), &w, what, func(ctx context.Context, c *apiClient) ([]byte, error) {
				return asJSON(c.SyncThirdPartyOrder(ctx, req))
			})
			var invalid *vshop.ValidationError
			if errors.As(err, &invalid) {
				problem := invalid.Rule
				if invalid.Field != "" {
					problem = invalid.Field + ": " + problem
				}
				return usageErrorf("--file %s: %s (nothing was sent)", file, problem)
			}
			return err
		}),
	}
	cmd.Flags().StringVar(&file, "file", "", `the order to report, a JSON file ("-" for stdin)`)
	w.register(cmd)
	return cmd
}

// maxSyncFile bounds --file of orders sync: one order is well under a kilobyte.
const maxSyncFile = 1 << 20

// readSyncFile reads one SyncThirdPartyOrderRequest from the file name ("-" is stdin), refusing what
// encoding/json would let through: invalid UTF-8 (it would send U+FFFD), a key given twice or in
// another case (it would take the last, or match case-insensitively), blank values, fields the
// request does not have, anything after the object, and more than maxSyncFile bytes.
func readSyncFile(name string, stdin io.Reader) (vshop.SyncThirdPartyOrderRequest, error) {
	var req vshop.SyncThirdPartyOrderRequest
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return req, usageErrorf("--file: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(&limitedReader{r: r, left: maxSyncFile})
	if errors.Is(err, errTooLarge) {
		return req, usageErrorf("--file %s: larger than %d KiB: want one JSON object", name, maxSyncFile>>10)
	}
	if err != nil {
		return req, localIOError("--file "+name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if len(bytes.TrimSpace(data)) == 0 {
		return req, usageErrorf("--file %s: empty: want one JSON object", name)
	}
	if err := checkMembers(data, jsonNames(req)); err != nil {
		return req, usageErrorf("--file %s: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, usageErrorf("--file %s: not a SyncThirdPartyOrderRequest (see 'vshop spec'): %v", name, err)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return req, usageErrorf("--file %s: want one JSON object, found more after it", name)
	}
	return req, nil
}

// checkMembers checks the members of the JSON object in data, whose fields are named by fields: each
// key exactly one of them (not a case variant) and only once, every key and value valid UTF-8, no
// string value blank. Other problems are left to the decoder.
func checkMembers(data []byte, fields []string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil // not an object: the decoder says so
	}
	seen := map[string]bool{}
	for dec.More() {
		start := dec.InputOffset()
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := t.(string)
		if raw := data[start:dec.InputOffset()]; !utf8.Valid(raw) {
			return fmt.Errorf("a key is not valid UTF-8: %q", bytes.TrimLeft(raw, ", \t\r\n"))
		}
		if !slices.Contains(fields, key) {
			for _, f := range fields {
				if strings.EqualFold(f, key) {
					return fmt.Errorf("key %q: the field is %q (keys are case-sensitive)", key, f)
				}
			}
		}
		if seen[key] {
			return fmt.Errorf("key %q: given twice", key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil
		}
		if !utf8.Valid(value) {
			return fmt.Errorf("%s: not valid UTF-8: %s", key, value)
		}
		var s string
		if json.Unmarshal(value, &s) == nil && s != "" && strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s: blank (only spaces)", key)
		}
	}
	return nil
}

// jsonNames lists the JSON names of the fields of the struct v.
func jsonNames(v any) []string {
	t := reflect.TypeOf(v)
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
