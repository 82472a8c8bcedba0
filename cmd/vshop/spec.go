package main

import (
	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop/openapi"
)

// specFormatFlag is `vshop spec --format`.
func specFormatFlag() *choiceFlag {
	return &choiceFlag{kind: "format", choices: []choice{
		{names: []string{"yaml"}, value: "yaml"},
		{names: []string{"json"}, value: "json"},
	}}
}

// newSpecCommand is `vshop spec`: the OpenAPI spec this binary was built from.
func newSpecCommand(a *app) *cobra.Command {
	format := specFormatFlag()
	cmd := &cobra.Command{
		Use:   "spec [--format yaml|json]",
		Short: "Print the embedded OpenAPI spec",
		Long: `Print the OpenAPI 3 spec of the Vshop API this binary was built from: openapi/vshop.yaml byte for
byte (--format yaml), or openapi/vshop.json, the same document as JSON (--format json).`,
		Example: `  vshop spec > vshop.yaml
  vshop spec --format json | jq '.paths | keys'`,
		Args: noArgs,
		RunE: a.action(func(*cobra.Command) error {
			doc := openapi.JSON
			if format.value() == "yaml" {
				doc = openapi.YAML
			}
			if _, err := a.stdout.Write(doc); err != nil {
				return localIOError("writing stdout", err)
			}
			return nil
		}),
	}
	cmd.Flags().Var(format, "format", "the format: "+format.names())
	return cmd
}
