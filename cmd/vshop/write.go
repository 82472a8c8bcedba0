package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
)

// writeFlags are the flags of the commands that spend or cancel money: orders create, orders sync,
// auto-renewals cancel.
type writeFlags struct {
	dryRun, yes bool
}

// register adds the write flags to cmd.
func (w *writeFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&w.dryRun, "dry-run", false, "print the signed request body that would be sent, and send nothing")
	cmd.Flags().BoolVar(&w.yes, "yes", false, "against production, do not ask for confirmation")
}

// writeHelp is appended to the help of every write command.
const writeHelp = `

--dry-run signs and checks the request as it would be sent, prints its body on stdout (and the URL on
stderr), and sends nothing. Against production the command asks for confirmation on a terminal;
--yes skips the question; without a terminal (a script, a pipe) it refuses unless --yes is given.`

// errDryRun ends the call of a dry run where the request would have left.
var errDryRun = errors.New("dry run: not sent")

// captureTransport is the transport of a dry run: it keeps the request it is given, fully signed
// and validated by the client, and fails it with errDryRun instead of sending it.
type captureTransport struct {
	method, url string
	body        []byte
}

// RoundTrip records req and sends nothing.
func (c *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		c.body = body
	}
	c.method, c.url = req.Method, req.URL.String()
	return nil, errDryRun
}

// write makes the call of a write command (what says what it does, for the confirmation) and prints
// its data: with --dry-run through a client that captures the request instead of sending it;
// against production only once confirmed.
func (a *app) write(ctx context.Context, w *writeFlags, what string, call func(ctx context.Context, c *apiClient) ([]byte, error)) error {
	if w.dryRun {
		capture := &captureTransport{}
		c, err := a.client(vshop.WithHTTPClient(&http.Client{Transport: capture}), vshop.WithRetryMax(0))
		if err != nil {
			return err
		}
		_, err = call(ctx, c)
		if !errors.Is(err, errDryRun) {
			if err == nil {
				err = errors.New("dry run: the call ended without reaching the transport")
			}
			return err
		}
		fmt.Fprintf(a.stderr, "vshop: dry run: %s %s (nothing was sent)\n", capture.method, capture.url)
		if _, err := fmt.Fprintf(a.stdout, "%s\n", capture.body); err != nil {
			return localIOError("writing stdout", err)
		}
		return nil
	}
	if err := a.confirm(w, what); err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	data, err := call(ctx, c)
	if err != nil {
		return err
	}
	return a.printData(data)
}

// confirm asks before a write goes to production, unless --yes: on a terminal it waits for "yes";
// without one it refuses, since nobody can answer.
func (a *app) confirm(w *writeFlags, what string) error {
	if w.yes || !a.isProduction() {
		return nil
	}
	if !a.stdinTerminal() {
		return usageErrorf("refusing to %s on production (%s) without confirmation: stdin is not a terminal to ask on; "+
			"pass --yes to confirm, or --dry-run to see the request", what, a.serviceURL())
	}
	fmt.Fprintf(a.stderr, "vshop: %s on PRODUCTION (%s)? Type yes to go on: ", what, a.serviceURL())
	answer, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && answer == "" {
		return usageErrorf("no confirmation (%v): nothing was sent", err)
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "yes" && a != "y" {
		return usageErrorf("not confirmed (answer %q): nothing was sent", strings.TrimSpace(answer))
	}
	return nil
}
