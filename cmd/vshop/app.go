package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vshop-go/vshop"
)

// Exit codes. They are part of the CLI's stable interface and listed in `vshop --help`.
const (
	exitOK          = 0
	exitFailure     = 1   // the API answered with a failure, or with something that is not a Vshop answer
	exitUsage       = 2   // bad usage or bad input, caught before anything was sent
	exitNetwork     = 3   // the service could not be reached or did not answer within --timeout
	exitInterrupted = 130 // stopped by Ctrl-C (SIGINT) or SIGTERM
)

// partnerCodeEnv names the environment variable that supplies the default --partner-code.
const partnerCodeEnv = "VSHOP_PARTNER_CODE"

// sandboxURL is the base URL of `--env sandbox`: where `vshop sandbox` listens by default.
const sandboxURL = "http://" + defaultSandboxAddr

// exitError is an error that carries the code vshop exits with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad usage or bad input (exit code 2). The message starts with the flag at fault.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// run is the whole program, testable: it parses args, runs one command and returns the exit code.
// Results go to stdout, messages and errors to stderr. Cancelling ctx (main does so on SIGINT and
// SIGTERM) stops the command.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	// Errors that do not carry a code come from cobra itself: an unknown command or flag, or a flag
	// value that its type refused. All are bad usage.
	code := exitUsage
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "vshop") { // errors of package vshop name it already
		msg = "vshop: " + msg
	}
	fmt.Fprintln(stderr, msg)
	if code == exitUsage {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// app is one invocation of vshop: its streams and its global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	env         *choiceFlag
	baseURL     string
	partnerCode string
	language    *choiceFlag
	terminal    *choiceFlag
	mark        *choiceFlag
	timeout     time.Duration
	output      *choiceFlag
}

const rootLong = `vshop calls the Linksfield Mall "Vshop" partner API: verify a SIM card, list and order data
plans, list orders and auto-renewals, cancel an auto-renewal, report a payment collected by a third
party. Every request is signed for you (partnerCode, version, tradeType, tradeTime and sign are filled).

Results go to stdout (JSON by default: the "data" of the answer; --output table for people); messages
and errors go to stderr.

Services (--env): production, uat, cube-uat, and sandbox (` + sandboxURL + `, where
'vshop sandbox' listens by default). --base-url overrides --env.

Exit codes:
  0    success
  1    the API answered with a failure (or an answer vshop could not understand)
  2    bad usage or bad input, caught before anything was sent
  3    network error or timeout (--timeout)
  130  interrupted (Ctrl-C)`

const rootExample = `  # The whole purchase flow against an in-process sandbox, offline
  vshop demo

  # Run the sandbox, then call it
  vshop sandbox &
  export VSHOP_PARTNER_CODE=P000270
  vshop --env sandbox verify --device 89852420180910340793
  vshop --env sandbox plans --device 89852420180910340793 --output table

  # Against UAT, in Spanish, from a PC
  vshop --env uat --language es --terminal pc auto-renewals list --device 8100000000012000423

  # Sign a body yourself
  echo '{"deviceCode":"89852420180910340793","tradeType":"singleVerify"}' | vshop sign --explain`

// newRootCommand builds the vshop command tree over a.
func newRootCommand(a *app) *cobra.Command {
	a.env = envFlag()
	a.language = languageFlag()
	a.terminal = terminalFlag()
	a.mark = markFlag()
	a.output = outputFlag()
	root := &cobra.Command{
		Use:               "vshop",
		Short:             `Call the Linksfield Mall "Vshop" partner API, or its offline sandbox`,
		Long:              rootLong,
		Example:           rootExample,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return a.checkGlobalFlags() },
		RunE:              requireSubcommand,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErrorf("%v", err) })
	f := root.PersistentFlags()
	f.Var(a.env, "env", "the service: "+a.env.names())
	f.StringVar(&a.baseURL, "base-url", "", "the service's base URL (overrides --env), e.g. "+sandboxURL)
	f.StringVar(&a.partnerCode, "partner-code", defaultPartnerCode(), "your partner code, issued by Linksfield (default from $"+partnerCodeEnv+")")
	f.Var(a.language, "language", "the answer's language: "+a.language.describe())
	f.Var(a.terminal, "terminal", "the terminal type: "+a.terminal.describe())
	f.Var(a.mark, "mark", "the card's owner: "+a.mark.describe()+"; 1 skips Linksfield's card check")
	f.DurationVar(&a.timeout, "timeout", vshop.DefaultTimeout, "how long one call may take, retries included, e.g. 10s or 200ms")
	f.Var(a.output, "output", "the result format: "+a.output.names())
	root.AddCommand(
		newVerifyCommand(a),
		newPlansCommand(a),
		newOrdersCommand(a),
		newAutoRenewalsCommand(a),
		newSandboxCommand(a),
		newDemoCommand(a),
		newSignCommand(a),
		newSpecCommand(a),
	)
	return root
}

// requireSubcommand is the RunE of commands that only group others: invoked on their own, they
// show their help on stderr and end with a usage error.
func requireSubcommand(cmd *cobra.Command, _ []string) error {
	cmd.SetOut(cmd.ErrOrStderr())
	if err := cmd.Help(); err != nil {
		return err
	}
	return usageErrorf("%s: a command is required", cmd.CommandPath())
}

// checkGlobalFlags validates the global flags that no flag type checks.
func (a *app) checkGlobalFlags() error {
	if a.timeout <= 0 {
		return usageErrorf("--timeout: must be positive, got %v", a.timeout)
	}
	if a.baseURL != "" {
		u, err := url.Parse(a.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErrorf("--base-url: want an absolute http or https URL such as %s, got %q", sandboxURL, a.baseURL)
		}
	}
	return nil
}

// serviceURL is the base URL requests go to: --base-url, or the URL of --env.
func (a *app) serviceURL() string {
	if a.baseURL != "" {
		return strings.TrimSuffix(a.baseURL, "/")
	}
	return a.env.value()
}

// client returns a client for the chosen service that acts as --partner-code and signs every request.
// conns is how many requests it may have in flight at once.
func (a *app) client(conns int) (*vshop.Client, error) {
	if strings.TrimSpace(a.partnerCode) == "" {
		return nil, usageErrorf("--partner-code: required: the partner code Linksfield issued you (or set $%s)", partnerCodeEnv)
	}
	c, err := vshop.NewClient(a.serviceURL(), a.partnerCode, a.clientOptions(conns)...)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return c, nil
}

// clientOptions configures every client of the CLI: --timeout bounds each call (retries included),
// and the HTTP client keeps a connection per request in flight (conns) for reuse. Everything else is
// the vshop package's default: validation before sending, retries of read-only calls.
func (a *app) clientOptions(conns int) []vshop.Option {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2)
	return []vshop.Option{
		vshop.WithTimeout(a.timeout), vshop.WithHTTPClient(&http.Client{Transport: t}),
		vshop.WithLanguage(vshop.LanguageCode(a.language.value())),
		vshop.WithMark(vshop.Mark(a.mark.value())),
		vshop.WithTerminal(vshop.Terminal(a.terminal.value())),
	}
}

// asJSON turns a call's typed data back into JSON, for printing.
func asJSON(data any, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return json.Marshal(data)
}

// action wraps a command's work so that every error it returns carries an exit code: usage errors
// keep theirs, the rest are classified by [classify]. A timeout says which --timeout was exceeded.
func (a *app) action(fn func(cmd *cobra.Command) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		err := fn(cmd)
		var ee *exitError
		if err == nil || errors.As(err, &ee) {
			return err
		}
		code := classify(cmd.Context(), err)
		if code == exitNetwork && isTimeout(err) {
			err = fmt.Errorf("no answer within --timeout %v: %w", a.timeout, err)
		}
		return &exitError{code: code, err: err}
	}
}

// classify maps the error of a call to an exit code: interrupted, an answer that is a failure, a
// request the client refused to send because it breaks the spec, or a network problem.
func classify(ctx context.Context, err error) int {
	var (
		apiErr        *vshop.APIError
		decodeErr     *vshop.DecodeError
		validationErr *vshop.ValidationError
		netErr        net.Error
	)
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &apiErr), errors.As(err, &decodeErr):
		return exitFailure
	case errors.As(err, &validationErr):
		return exitUsage
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return exitNetwork
	}
	return exitFailure
}

// isTimeout reports whether err is a deadline or a network timeout.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}
