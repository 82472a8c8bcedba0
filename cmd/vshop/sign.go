package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vshop-go/vshop/signing"
)

const signExample = `  echo '{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0"}' | vshop sign
  ea7a3bba7e345e0b8ca7f7e3b43d6e72

  vshop sign --explain < body.json`

// newSignCommand is `vshop sign`: the documented signature of a body read from stdin.
func newSignCommand(a *app) *cobra.Command {
	var explain bool
	cmd := &cobra.Command{
		Use:   "sign [--explain] < body.json",
		Short: "Print the sign of a JSON request body read from stdin",
		Long: `Print the sign of a JSON request body read from stdin: the lowercase hex MD5 of its signContent.

The signContent is the body's top-level fields except sign, without those that are null or "", sorted
by key and written as compact JSON with UTF-8 as is. --explain prints it on the line before the sign.
The body is signed as it is: nothing is filled in.`,
		Example: signExample,
		Args:    cobra.NoArgs,
		RunE: a.action(func(*cobra.Command) error {
			if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				fmt.Fprintln(a.stderr, "vshop sign: reading a JSON body from stdin; end it with Ctrl-D")
			}
			body, err := io.ReadAll(a.stdin)
			if err != nil {
				return usageErrorf("stdin: %v", err)
			}
			if len(bytes.TrimSpace(body)) == 0 {
				return usageErrorf("stdin: empty: pipe in the JSON body to sign, e.g. vshop sign < body.json")
			}
			content, err := signing.Canonical(body)
			if err != nil {
				return usageErrorf("stdin: %v", err)
			}
			sign, err := signing.Sign(body)
			if err != nil {
				return usageErrorf("stdin: %v", err)
			}
			if explain {
				fmt.Fprintf(a.stdout, "%s\n", content)
			}
			_, err = fmt.Fprintln(a.stdout, sign)
			return err
		}),
	}
	cmd.Flags().BoolVar(&explain, "explain", false, "print the signContent line before the sign")
	return cmd
}
