package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
)

const autoRenewalsExample = `  vshop --env sandbox auto-renewals list --device 8100000000012000423 -o table
  vshop --env sandbox auto-renewals cancel --device 8100000000012000423 \
      --pay-id CU-7ZOIHX0RB16U2025032713303774502 --order-no NO2025032713303915052`

// newAutoRenewalsCommand is `vshop auto-renewals`: list and cancel a card's auto-renewals.
func newAutoRenewalsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "auto-renewals",
		Short:   "List and cancel a card's auto-renewals",
		Example: autoRenewalsExample,
		Args:    cobra.NoArgs,
		RunE:    requireSubcommand,
	}
	cmd.AddCommand(newAutoRenewalsListCommand(a), newAutoRenewalsCancelCommand(a))
	return cmd
}

// newAutoRenewalsListCommand is `vshop auto-renewals list`: /queryAutoRenewalRecord, for one card or a batch.
func newAutoRenewalsListCommand(a *app) *cobra.Command {
	var device string
	var batch batchFlags
	cmd := &cobra.Command{
		Use:   "list --device ICCID | --devices-file FILE [--concurrency N] [--rate R]",
		Short: "List a card's auto-renewals in force (/queryAutoRenewalRecord)",
		Long:  "List a card's auto-renewals in force (POST /queryAutoRenewalRecord)." + batchHelp,
		Example: `  vshop --env sandbox auto-renewals list --device 8100000000012000423 -o table

  # Every card of a file; the cards that have an auto-renewal
  vshop --env sandbox auto-renewals list --devices-file cards.txt | jq -c 'select(.data | length > 0)'
  cut -d, -f1 customers.csv | vshop --env uat auto-renewals list --devices-file - --rate 5`,
		Args: noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			return a.forDevices(cmd, device, &batch, func(ctx context.Context, c *apiClient, device string) ([]byte, error) {
				return asJSON(c.ListAutoRenewals(ctx, vshop.ListAutoRenewalsRequest{DeviceCode: device}))
			})
		}),
	}
	cmd.Flags().StringVar(&device, "device", "", "the card's ICCID (or the device's IMEI), digits only")
	batch.register(cmd)
	return cmd
}

// newAutoRenewalsCancelCommand is `vshop auto-renewals cancel`: /cancelAutoRenewalRecord.
func newAutoRenewalsCancelCommand(a *app) *cobra.Command {
	var device, payID, orderNo string
	var w writeFlags
	cmd := &cobra.Command{
		Use:   "cancel --device ICCID --pay-id ID --order-no N [--dry-run] [--yes]",
		Short: "Cancel one auto-renewal of a card (/cancelAutoRenewalRecord)",
		Long: `Cancel one auto-renewal of a card (POST /cancelAutoRenewalRecord), identified by the payId and
orderNo that 'vshop auto-renewals list' shows.` + writeHelp,
		Example: `  vshop --env sandbox auto-renewals cancel --device 8100000000012000423 \
      --pay-id CU-7ZOIHX0RB16U2025032713303774502 --order-no NO2025032713303915052

  # What would be sent, without sending it
  vshop --env sandbox auto-renewals cancel --device 8100000000012000423 \
      --pay-id CU-7ZOIHX0RB16U2025032713303774502 --order-no NO2025032713303915052 --dry-run`,
		Args: noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			err := firstError(
				checkDevice("--device", device),
				checkRequired("--pay-id", payID, "the auto-renewal's payId, from 'vshop auto-renewals list'"),
				checkRequired("--order-no", orderNo, "the auto-renewal's orderNo, from 'vshop auto-renewals list'"),
			)
			if err != nil {
				return err
			}
			what := fmt.Sprintf("cancel the auto-renewal payId %s, orderNo %s of card %s", payID, orderNo, device)
			return a.write(cmd.Context(), &w, what, func(ctx context.Context, c *apiClient) ([]byte, error) {
				return asJSON(c.CancelAutoRenewal(ctx, vshop.CancelAutoRenewalRequest{DeviceCode: device, PayId: payID, OrderNo: orderNo}))
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&device, "device", "", "the card's ICCID (or the device's IMEI), digits only")
	f.StringVar(&payID, "pay-id", "", "the auto-renewal's payId")
	f.StringVar(&orderNo, "order-no", "", "the auto-renewal's orderNo")
	w.register(cmd)
	return cmd
}
