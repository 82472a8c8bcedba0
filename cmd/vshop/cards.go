package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
)

const verifyExample = `  vshop --env sandbox verify --device 89852420180910340793
  vshop --env uat verify --device 89852420180910340793 --url https://dist.linksfield.net/login

  # Every card of a file, 8 at a time, at most 20 calls a second; the failures only
  vshop --env sandbox verify --devices-file cards.txt --concurrency 8 --rate 20 | grep '"error"'

  # A batch that can be resumed: after Ctrl-C, the same command with --resume does the rest
  vshop --env sandbox verify --devices-file cards.txt --out verified.jsonl
  vshop --env sandbox verify --devices-file cards.txt --out verified.jsonl --resume
  vshop --env sandbox verify --devices-file cards.txt --out verified.jsonl --retry-failed`

// newVerifyCommand is `vshop verify`: /singleVerify, step 1 of the purchase flow, for one card or a batch.
func newVerifyCommand(a *app) *cobra.Command {
	var device, pageURL string
	var batch batchFlags
	cmd := &cobra.Command{
		Use:     "verify --device ICCID [--url URL] | --devices-file FILE [--concurrency N] [--rate R]",
		Short:   "Check that a SIM card is valid (/singleVerify)",
		Long:    "Check that a SIM card is valid: step 1 of the purchase flow (POST /singleVerify)." + batchHelp,
		Example: verifyExample,
		Args:    noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			return a.forDevices(cmd, device, &batch, func(ctx context.Context, c *apiClient, device string) ([]byte, error) {
				return asJSON(c.VerifyCard(ctx, vshop.VerifyCardRequest{DeviceCode: device, Url: pageURL}))
			})
		}),
	}
	cmd.Flags().StringVar(&device, "device", "", "the card's ICCID (or the device's IMEI), digits only")
	cmd.Flags().StringVar(&pageURL, "url", "", "the H5 page the user came from (sent as url; not documented by Linksfield)")
	batch.register(cmd)
	return cmd
}

const plansExample = `  vshop --env sandbox plans --device 89852420180910340793 -o table
  vshop --env sandbox plans --device 89852420180910340793 --area 欧洲`

// newPlansCommand is `vshop plans`: /singleServicePlanPage, step 2 of the purchase flow.
func newPlansCommand(a *app) *cobra.Command {
	var device, area string
	cmd := &cobra.Command{
		Use:     "plans --device ICCID [--area AREA]",
		Short:   "List the data plans a card can buy (/singleServicePlanPage)",
		Long:    "List the data plans a card can buy: step 2 of the purchase flow (POST /singleServicePlanPage).",
		Example: plansExample,
		Args:    noArgs,
		RunE: a.action(func(cmd *cobra.Command) error {
			if err := checkDevice("--device", device); err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			data, err := asJSON(c.ListPlans(cmd.Context(), vshop.ListPlansRequest{DeviceCode: device, Area: area}))
			if err != nil {
				return err
			}
			return a.printData(data)
		}),
	}
	cmd.Flags().StringVar(&device, "device", "", "the card's ICCID (or the device's IMEI), digits only")
	cmd.Flags().StringVar(&area, "area", "", "only plans of this area, as the service names it (the docs' example: 欧洲, Europe)")
	return cmd
}
