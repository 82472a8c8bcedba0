package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vshop-go/vshop"
)

// Exit codes. They are part of the CLI's stable interface, listed in `vshop --help` and README.md
// from exitCodes.
const (
	exitOK          = 0
	exitFailure     = 1   // the API answered with a failure, or with something that is not a Vshop answer
	exitUsage       = 2   // bad usage or bad input, caught before anything was sent
	exitNetwork     = 3   // the service could not be reached, did not answer in time, or its answer was cut short
	exitLocalIO     = 4   // reading an input or writing a result on this machine failed
	exitInterrupted = 130 // stopped by Ctrl-C (SIGINT) or SIGTERM
)

// exitCodes is the one table of exit codes: `vshop --help` prints it and a test holds README.md to it.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "success"},
	{exitFailure, "the API answered with a failure (or with something that is not a Vshop answer); in a batch, any line failed"},
	{exitUsage, "bad usage or bad input, caught before anything was sent; the message names the flag or field"},
	{exitNetwork, "network error or timeout: no connection, a reset, or an answer cut short"},
	{exitLocalIO, "local I/O error: writing stdout or --out, or reading an input file, failed (e.g. a full disk)"},
	{exitInterrupted, "interrupted (Ctrl-C or SIGTERM)"},
}

// Environment variables the CLI reads.
const (
	partnerCodeEnv = "VSHOP_PARTNER_CODE" // the default --partner-code
	envEnv         = "VSHOP_ENV"          // the default --env
)

// sandboxURL is the base URL of `--env sandbox`: where `vshop sandbox` listens by default.
const sandboxURL = "http://" + defaultSandboxAddr

// apiClient is the client type the commands call. It is the only place that names it.
type apiClient = vshop.Client

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

// localIOError reports a failed read or write on this machine (exit code 4); what says which.
func localIOError(what string, err error) error {
	return &exitError{code: exitLocalIO, err: fmt.Errorf("%s: %w", what, err)}
}

// run is the whole program, testable: it parses args, runs one command and returns the exit code.
// Results go to stdout, messages and errors to stderr. Cancelling ctx (main does so on SIGINT and
// SIGTERM) stops the command.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runApp(ctx, &app{stdin: stdin, stdout: stdout, stderr: stderr, stdinTerminal: func() bool { return isTerminal(stdin) }}, args)
}

// runApp is run over a, whose streams are set.
func runApp(ctx context.Context, a *app, args []string) int {
	stderr := a.stderr
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
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
	if !a.verbose {
		msg = a.mask(cmd, msg)
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
	// stdinTerminal reports whether stdin is a terminal a person can answer a confirmation on.
	stdinTerminal func() bool

	env         *choiceFlag
	baseURL     string
	partnerCode string
	language    *choiceFlag
	terminal    *choiceFlag
	mark        *choiceFlag
	timeout     time.Duration
	output      *choiceFlag
	verbose     bool

	// devices are device codes read from input files, masked in error messages like --device.
	devices []string
}

const rootLong = `vshop calls the Linksfield Mall "Vshop" partner API: verify a SIM card, list and order data
plans, list orders and auto-renewals, cancel an auto-renewal, report a payment collected by a third
party. Every request is signed for you (partnerCode, version, tradeType, tradeTime and sign are filled).

Results go to stdout (JSON by default: the "data" of the answer; -o table for people); messages
and errors go to stderr. Device codes in error messages are masked (898524**********0793) unless
--verbose.

Services (--env): uat (the default), production, cube-uat, and sandbox (` + sandboxURL + `, where
'vshop sandbox' listens by default). $` + envEnv + ` sets the default; --base-url overrides both.
Production is only ever chosen explicitly. Writes (orders create, orders sync, auto-renewals cancel)
take --dry-run, and against production ask for confirmation on a terminal (--yes skips it; without
a terminal they refuse unless --yes).`

const rootExample = `  # The whole purchase flow against an in-process sandbox, offline
  vshop demo

  # Run the sandbox, then call it
  vshop sandbox &
  export VSHOP_PARTNER_CODE=P000270
  vshop --env sandbox verify --device 89852420180910340793
  vshop --env sandbox plans --device 89852420180910340793 -o table

  # Against UAT (the default), in Spanish, from a PC
  vshop --language es --terminal pc auto-renewals list --device 8100000000012000423

  # Sign a body yourself
  echo '{"deviceCode":"89852420180910340793","tradeType":"singleVerify"}' | vshop sign --explain`

// exitCodeHelp is the exit-code table of `vshop --help`.
func exitCodeHelp() string {
	var b strings.Builder
	b.WriteString("\n\nExit codes:")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "\n  %-4d %s", e.code, e.meaning)
	}
	return b.String()
}

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
		Long:              rootLong + exitCodeHelp(),
		Example:           rootExample,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.checkGlobalFlags(cmd) },
		RunE:              requireSubcommand,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErrorf("%v", err) })
	f := root.PersistentFlags()
	f.Var(a.env, "env", "the service: "+a.env.names()+"; $"+envEnv+" if set")
	f.StringVar(&a.baseURL, "base-url", "", "the service's base URL (overrides --env), e.g. "+sandboxURL)
	f.StringVar(&a.partnerCode, "partner-code", "", "your partner code, issued by Linksfield (default: $"+partnerCodeEnv+")")
	f.Var(a.language, "language", "the answer's language: "+a.language.describe())
	f.Var(a.terminal, "terminal", "the terminal type: "+a.terminal.describe())
	f.Var(a.mark, "mark", "the card's owner: "+a.mark.describe()+"; 1 skips Linksfield's card check")
	f.DurationVar(&a.timeout, "timeout", vshop.DefaultTimeout, "how long one call may take, retries included, e.g. 10s or 200ms")
	f.VarP(a.output, "output", "o", "the result format: "+a.output.names())
	f.BoolVar(&a.verbose, "verbose", false, "log each request and answer on stderr, and show device codes in full")
	for name, fl := range map[string]*choiceFlag{"env": a.env, "language": a.language, "terminal": a.terminal, "mark": a.mark, "output": a.output} {
		root.RegisterFlagCompletionFunc(name, fl.complete)
	}
	root.AddCommand(
		newVerifyCommand(a),
		newPlansCommand(a),
		newOrdersCommand(a),
		newAutoRenewalsCommand(a),
		newSandboxCommand(a),
		newDemoCommand(a),
		newSignCommand(a),
		newSpecCommand(a),
		newVersionCommand(a),
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

// noArgs is the Args of every command that takes its input from flags only: a positional argument
// is a usage error that says so (cobra's own says "unknown command").
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q: its input comes from flags: %s", cmd.CommandPath(), args[0], cmd.UseLine())
	}
	return nil
}

// checkGlobalFlags applies the environment's defaults and validates what no flag type checks: every
// flag value is valid UTF-8 and not blank, --timeout is positive, --base-url is an http(s) URL.
func (a *app) checkGlobalFlags(cmd *cobra.Command) error {
	var bad error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		v := f.Value.String()
		switch {
		case bad != nil:
		case !utf8.ValidString(v):
			bad = usageErrorf("--%s: not valid UTF-8: %q", f.Name, v)
		case v != "" && strings.TrimSpace(v) == "":
			bad = usageErrorf("--%s: blank (only spaces): give a value or leave the flag out", f.Name)
		}
	})
	if bad != nil {
		return bad
	}
	if !cmd.Flags().Changed("partner-code") {
		a.partnerCode = os.Getenv(partnerCodeEnv)
		if !utf8.ValidString(a.partnerCode) {
			return usageErrorf("--partner-code: $%s is not valid UTF-8: %q", partnerCodeEnv, a.partnerCode)
		}
	}
	if e := os.Getenv(envEnv); e != "" && !cmd.Flags().Changed("env") {
		if err := a.env.Set(e); err != nil {
			return usageErrorf("--env: $%s: %v", envEnv, err)
		}
	}
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

// isProduction reports whether requests go to Linksfield's production service, chosen by --env or
// by a --base-url that is its URL.
func (a *app) isProduction() bool {
	u, err := url.Parse(a.serviceURL())
	p, _ := url.Parse(vshop.ProductionURL)
	return err == nil && strings.EqualFold(u.Host, p.Host) && strings.TrimSuffix(u.Path, "/") == p.Path
}

// client returns a client for the chosen service that acts as --partner-code (see newClient).
func (a *app) client(extra ...vshop.Option) (*apiClient, error) {
	if strings.TrimSpace(a.partnerCode) == "" {
		return nil, usageErrorf("--partner-code: required: the partner code Linksfield issued you (or set $%s)", partnerCodeEnv)
	}
	return a.newClient(a.serviceURL(), a.partnerCode, extra...)
}

// newClient returns a client for the service at base that acts as partner and signs every request,
// with the library's defaults (its HTTP client, validation before sending, retries of read-only
// calls) and --timeout; with --verbose it logs every call on stderr, device codes in full. extra
// options come last.
func (a *app) newClient(base, partner string, extra ...vshop.Option) (*apiClient, error) {
	opts := []vshop.Option{
		vshop.WithTimeout(a.timeout),
		vshop.WithLanguage(vshop.LanguageCode(a.language.value())),
		vshop.WithMark(vshop.Mark(a.mark.value())),
		vshop.WithTerminal(vshop.Terminal(a.terminal.value())),
	}
	if a.verbose {
		logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, vshop.WithLogger(logger), vshop.WithDeviceMasking(func(s string) string { return s }))
	}
	c, err := vshop.NewClient(base, partner, append(opts, extra...)...)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return c, nil
}

// asJSON turns a call's typed data back into JSON, for printing.
func asJSON(data any, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return json.Marshal(data)
}

// mask hides the device codes of cmd's --device flag and of input files in msg, as the library's
// logs do (vshop.MaskDevice).
func (a *app) mask(cmd *cobra.Command, msg string) string {
	devices := a.devices
	if f := cmd.Flags().Lookup("device"); f != nil {
		devices = append(devices, f.Value.String())
	}
	for _, d := range devices {
		if len(d) >= 8 && deviceProblem(d) == "" { // short codes would mask unrelated digits
			msg = strings.ReplaceAll(msg, d, vshop.MaskDevice(d))
		}
	}
	return msg
}

// printData writes the data of an answer to stdout in the --output format.
func (a *app) printData(data []byte) error {
	var err error
	if a.output.value() == "table" {
		err = writeTable(a.stdout, data)
	} else {
		err = writeJSON(a.stdout, data)
	}
	var ee *exitError
	if err != nil && !errors.As(err, &ee) {
		return localIOError("writing stdout", err)
	}
	return err
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
// request the client refused to send because it breaks the spec, or a network problem. An answer cut
// short (the connection closed before its announced end) is a network problem like a reset: both are
// the connection failing, not the service answering.
func classify(ctx context.Context, err error) int {
	var (
		apiErr        *vshop.APIError
		decodeErr     *vshop.DecodeError
		validationErr *vshop.ValidationError
		urlErr        *url.Error
		opErr         *net.OpError
	)
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &apiErr), errors.As(err, &decodeErr):
		return exitFailure
	case errors.As(err, &validationErr):
		return exitUsage
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &urlErr), errors.As(err, &opErr),
		errors.Is(err, io.ErrUnexpectedEOF):
		return exitNetwork
	}
	return exitFailure
}

// isTimeout reports whether err is a deadline or a network timeout.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}
