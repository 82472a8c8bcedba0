package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop/signing"
)

const signExample = `  echo '{"deviceCode":"89852420180910340793","languageCode":"1","mark":"0","partnerCode":"P000270","terminal":"1","tradeTime":"1645683857572","tradeType":"singleVerify","url":"https://dist.linksfield.net/login","version":"3.0"}' | vshop sign
  ea7a3bba7e345e0b8ca7f7e3b43d6e72

  vshop sign --explain < body.json`

// maxSignBody bounds the body `vshop sign` reads from stdin.
const maxSignBody = 1 << 20

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
		Args:    noArgs,
		RunE: a.action(func(*cobra.Command) error {
			if a.stdinTerminal() {
				fmt.Fprintln(a.stderr, "vshop sign: reading a JSON body from stdin; end it with Ctrl-D")
			}
			body, err := io.ReadAll(&limitedReader{r: a.stdin, left: maxSignBody})
			if errors.Is(err, errTooLarge) {
				return usageErrorf("stdin: larger than %d KiB: a Vshop request body is a few hundred bytes", maxSignBody>>10)
			}
			if err != nil {
				return localIOError("reading stdin", err)
			}
			if len(bytes.TrimSpace(body)) == 0 {
				return usageErrorf("stdin: empty: pipe in the JSON body to sign, e.g. vshop sign < body.json")
			}
			if !utf8.Valid(body) {
				return usageErrorf("stdin: not valid UTF-8")
			}
			content, err := signing.Canonical(body)
			if err != nil {
				return usageErrorf("stdin: %v", err)
			}
			sign, err := signing.Sign(body)
			if err != nil {
				return usageErrorf("stdin: %v", err)
			}
			var out bytes.Buffer
			if explain {
				fmt.Fprintf(&out, "%s\n", content)
			}
			fmt.Fprintln(&out, sign)
			if _, err := a.stdout.Write(out.Bytes()); err != nil {
				return localIOError("writing stdout", err)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&explain, "explain", false, "print the signContent line before the sign")
	return cmd
}
