package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
)

const ordersExample = `  vshop --env sandbox orders create --device 89852420180910340793 \
      --package-code PACKAGE20180428000007 --service-plan-code SP-EU-1GB-30D --period 1 --amount 4.99 --currency USD --auto-renew
  vshop --env sandbox orders list --device 89852420180910340793 --output table
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
      --auto-renew --order-no NO2025032713303915052`

// newOrdersCreateCommand is `vshop orders create`: /singleOrder, step 3 of the purchase flow.
func newOrdersCreateCommand(a *app) *cobra.Command {
	var (
		device, packageCode, servicePlanCode, period, amount, currency, orderNo, payID string
		autoRenew                                                                      bool
	)
	cmd := &cobra.Command{
		Use: "create --device ICCID --package-code P --service-plan-code S --period N --amount X --currency CUR " +
			"[--auto-renew] [--order-no N] [--pay-id ID]",
		Short: "Order a plan for a card (/singleOrder)",
		Long: `Order a plan for a card: step 3 of the purchase flow (POST /singleOrder). Take --package-code,
--service-plan-code, --amount and --currency from 'vshop plans'.

Without --order-no the request is sent exactly once, even if the connection fails. With --order-no
(and --pay-id) of your own the client may retry a failed attempt, and you may repeat the command:
Linksfield documents orderNo as the id that marks an order request as unique, so a repeat is the same
order request (that the Mall then books it only once is inferred, not documented; the sandbox does).`,
		Example: ordersCreateExample,
		Args:    cobra.NoArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			err := firstError(
				checkDevice("--device", device),
				checkRequired("--package-code", packageCode, "the plan's packageCode, from 'vshop plans'"),
				checkRequired("--service-plan-code", servicePlanCode, "the plan's servicePlanCode, from 'vshop plans'"),
				checkPattern("--period", period, periodPattern, "a positive whole number of plan periods, such as 1"),
				checkPattern("--amount", amount, amountPattern, "a decimal amount such as 4.99"),
				checkPattern("--currency", currency, currencyPattern, "a 3-letter ISO 4217 code such as USD"),
			)
			if err != nil {
				return err
			}
			c, err := a.client(1)
			if err != nil {
				return err
			}
			renewal := vshop.AutoRenewalOff
			if autoRenew {
				renewal = vshop.AutoRenewalOn
			}
			data, err := asJSON(c.CreateOrder(cmd.Context(), vshop.CreateOrderRequest{
				DeviceCode: device, PackageCode: packageCode, ServicePlanCode: servicePlanCode, OrderPeriod: period,
				PayAmount: amount, PayCurrency: currency, AutoRenewal: renewal, OrderNo: orderNo, PayId: payID,
			}))
			if err != nil {
				return err
			}
			return a.printData(data)
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
		Example: `  vshop --env sandbox orders list --device 89852420180910340793 --output table
  vshop --env sandbox orders list --devices-file cards.txt > orders.jsonl`,
		Args: cobra.NoArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			return a.forDevices(cmd, device, &batch, func(ctx context.Context, c *vshop.Client, device string) (json.RawMessage, error) {
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
	cmd := &cobra.Command{
		Use:   "sync --file order.json",
		Short: "Report an order paid through a third party (/synPartner/SynOrderInfo)",
		Long: `Report an order whose payment you collected yourself (POST /synPartner/SynOrderInfo).

--file holds one SyncThirdPartyOrderRequest as JSON ("-" reads stdin); its fields are in 'vshop spec'.
A field the request does not have is an error. partnerCode, version, tradeType, tradeTime and sign may
be left out: they are filled and signed. mark, terminal and languageCode left out are taken from
--mark, --terminal and --language. The request is checked against the spec before it is sent.`,
		Example: ordersSyncExample,
		Args:    cobra.NoArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			if err := checkRequired("--file", file, `the JSON file of the order to report ("-" for stdin)`); err != nil {
				return err
			}
			req, err := readSyncFile(file, a.stdin)
			if err != nil {
				return err
			}
			c, err := a.client(1)
			if err != nil {
				return err
			}
			data, err := asJSON(c.SyncThirdPartyOrder(cmd.Context(), req))
			var invalid *vshop.ValidationError
			if errors.As(err, &invalid) {
				problem := invalid.Rule
				if invalid.Field != "" {
					problem = invalid.Field + ": " + problem
				}
				return usageErrorf("--file %s: %s (nothing was sent)", file, problem)
			}
			if err != nil {
				return err
			}
			return a.printData(data)
		}),
	}
	cmd.Flags().StringVar(&file, "file", "", `the order to report, a JSON file ("-" for stdin)`)
	return cmd
}

// readSyncFile reads one SyncThirdPartyOrderRequest from the file name ("-" is stdin), refusing
// fields the request does not have and anything after the object.
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
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		if errors.Is(err, io.EOF) {
			return req, usageErrorf("--file %s: empty: want one JSON object", name)
		}
		return req, usageErrorf("--file %s: not a SyncThirdPartyOrderRequest (see 'vshop spec'): %v", name, err)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return req, usageErrorf("--file %s: want one JSON object, found more after it", name)
	}
	return req, nil
}
