package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vshop-go/vshop/generated"
	"github.com/vshop-go/vshop/vshoptest"
)

// buildBinary builds cmd/vshop into a temporary directory and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "vshop")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startSandboxBinary runs `bin sandbox --addr addr [flags]` and waits until it prints its base URL.
func startSandboxBinary(t *testing.T, bin, addr string, flags ...string) (proc *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	proc = exec.Command(bin, append([]string{"sandbox", "--addr", addr}, flags...)...)
	stderr = &bytes.Buffer{}
	proc.Stderr = stderr
	stdout, err := proc.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if proc.ProcessState == nil {
			proc.Process.Kill()
			proc.Wait()
		}
	})
	want := "http://" + addr
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), want) {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("vshop sandbox ended without printing %s; stderr:\n%s", want, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("vshop sandbox did not print %s within 20s", want)
	}
	return proc, stderr
}

// TestBinaryEndToEnd builds vshop, starts `vshop sandbox` on a free loopback port and walks the
// purchase flow through the binary, checking outputs and exit codes; interrupts a batch with SIGINT;
// then stops the sandbox with SIGINT and checks that it exits cleanly.
func TestBinaryEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	sandboxProc, sandboxErr := startSandboxBinary(t, bin, addr)
	base := "http://" + addr

	vshop := func(stdin string, args ...string) result {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--base-url", base}, args...)...)
		cmd.Env = append(os.Environ(), partnerCodeEnv+"="+testPartner)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatalf("vshop %v: %v", args, err)
		}
		return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String()}
	}
	ok := func(r result, what string) string {
		t.Helper()
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\nstderr: %s", what, r.code, r.stderr)
		}
		return r.stdout
	}
	decode := func(s string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(s), v); err != nil {
			t.Fatalf("stdout is not the expected JSON: %v\n%s", err, s)
		}
	}
	card := "89852420180910340793"

	var verified map[string]any
	decode(ok(vshop("", "verify", "--device", card), "verify"), &verified)
	if verified["deviceCode"] != card || verified["status"] != "valid" {
		t.Errorf("verify: %v", verified)
	}

	var catalogue struct{ Plans []vshoptest.Plan }
	decode(ok(vshop("", "plans", "--device", card, "--area", "欧洲"), "plans"), &catalogue)
	if len(catalogue.Plans) == 0 {
		t.Fatal("plans: none in 欧洲")
	}
	p := catalogue.Plans[0]
	if table := ok(vshop("", "--output", "table", "plans", "--device", card), "plans --output table"); !strings.Contains(table, p.ServicePlanShowName) {
		t.Errorf("plans --output table lacks %q:\n%s", p.ServicePlanShowName, table)
	}

	create := []string{"orders", "create", "--device", card, "--package-code", p.PackageCode,
		"--service-plan-code", p.ServicePlanCode, "--period", "1", "--amount", p.PayAmount, "--currency", p.PayCurrency,
		"--auto-renew", "--order-no", "NO2026010100000000001"}
	var order generated.CreatedOrder
	decode(ok(vshop("", create...), "orders create"), &order)
	if order.OrderNo != "NO2026010100000000001" || order.PayId == "" || order.DeviceCode != card {
		t.Fatalf("orders create: %+v", order)
	}
	var again generated.CreatedOrder
	decode(ok(vshop("", create...), "orders create, repeated"), &again)
	if again != order {
		t.Errorf("repeating the order with its orderNo answered %+v, want %+v", again, order)
	}

	var orders generated.OrderList
	decode(ok(vshop("", "orders", "list", "--device", card), "orders list"), &orders)
	if len(orders.OrderList) != 1 || orders.OrderList[0].OrderStatus != generated.OrderStatusInUse {
		t.Errorf("orders list: want the one order, in use; got %+v", orders.OrderList)
	}

	listRenewals := func() []generated.AutoRenewalRecord {
		var recs []generated.AutoRenewalRecord
		decode(ok(vshop("", "auto-renewals", "list", "--device", card), "auto-renewals list"), &recs)
		return recs
	}
	if recs := listRenewals(); len(recs) != 1 || recs[0].OrderNo != order.OrderNo || recs[0].PayId != order.PayId {
		t.Errorf("auto-renewals list: want the new order's; got %+v", recs)
	}
	cancel := vshop("", "auto-renewals", "cancel", "--device", card, "--pay-id", order.PayId, "--order-no", order.OrderNo)
	ok(cancel, "auto-renewals cancel")
	if recs := listRenewals(); len(recs) != 0 {
		t.Errorf("auto-renewals list after cancelling: %+v", recs)
	}
	if again := vshop("", "auto-renewals", "cancel", "--device", card, "--pay-id", order.PayId, "--order-no", order.OrderNo); again.code != exitFailure {
		t.Errorf("cancelling twice: exit %d, want 1", again.code)
	}

	sync := fmt.Sprintf(`{"deviceCode": %q, "packageCode": %q, "orderNo": "NO2026010100000000002", "orderPeriod": "1",
		"payAmount": %q, "payCurrency": %q, "payId": "P0002702026010100000000002", "payRst": "SUCCESS"}`,
		card, p.PackageCode, p.PayAmount, p.PayCurrency)
	ok(vshop(sync, "orders", "sync", "--file", "-"), "orders sync")
	decode(ok(vshop("", "orders", "list", "--device", card), "orders list after sync"), &orders)
	if len(orders.OrderList) != 2 {
		t.Errorf("orders list after sync: want 2 orders, got %+v", orders.OrderList)
	}

	if r := vshop(bodyA, "sign", "--explain"); r.code != exitOK || r.stdout != bodyA+"\n"+signA+"\n" {
		t.Errorf("sign --explain: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := vshop("", "verify", "--device", "12345"); r.code != exitFailure || !strings.Contains(r.stderr, `operateCode "F"`) {
		t.Errorf("unknown card: exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	if r := vshop("", "verify", "--device", "12ab"); r.code != exitUsage || !strings.Contains(r.stderr, "--device") {
		t.Errorf("letters in --device: exit %d, want 2; stderr %s", r.code, r.stderr)
	}

	// A batch stopped with Ctrl-C once its first line is out: exit 130, whole lines, the summary. At
	// --rate 20 the 200 devices take at least 10s, so the batch is still going when the signal comes.
	batchProc := exec.Command(bin, "--base-url", base, "--partner-code", testPartner, "verify", "--devices-file", "-", "--rate", "20")
	batchProc.Stdin = strings.NewReader(strings.Repeat(card+"\n", 200))
	var batchErr bytes.Buffer
	batchProc.Stderr = &batchErr
	batchStdout, err := batchProc.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := batchProc.Start(); err != nil {
		t.Fatal(err)
	}
	batchReader := bufio.NewReader(batchStdout)
	firstLine := make(chan error, 1)
	var batchOut strings.Builder
	go func() {
		line, err := batchReader.ReadString('\n')
		batchOut.WriteString(line)
		firstLine <- err
	}()
	select {
	case err := <-firstLine:
		if err != nil {
			batchProc.Process.Kill()
			batchProc.Wait()
			t.Fatalf("batch: no first line: %v; stderr:\n%s", err, batchErr.String())
		}
	case <-time.After(20 * time.Second):
		batchProc.Process.Kill() // ends the read above
		<-firstLine
		batchProc.Wait()
		t.Fatalf("batch: no line within 20s; stderr:\n%s", batchErr.String())
	}
	if err := batchProc.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(&batchOut, batchReader); err != nil {
		t.Errorf("batch: reading stdout: %v", err)
	}
	batchProc.Wait()
	if code := batchProc.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(batchErr.String(), "interrupted: 200 devices: ") {
		t.Errorf("batch after SIGINT: exit %d, want %d; stderr:\n%s", code, exitInterrupted, batchErr.String())
	}
	if n := len(parseLines(t, batchOut.String())[card]); n == 0 || n >= 200 {
		t.Errorf("batch after SIGINT: %d lines, want some but not all", n)
	}

	if err := sandboxProc.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sandboxProc.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("vshop sandbox after SIGINT: %v\nstderr:\n%s", err, sandboxErr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("vshop sandbox did not stop within 10s of SIGINT")
	}
	if !strings.Contains(sandboxErr.String(), "vshop sandbox: stopped") {
		t.Errorf("vshop sandbox did not say it stopped:\n%s", sandboxErr)
	}
	if !strings.Contains(sandboxErr.String(), "POST /singleOrder -> 200") {
		t.Errorf("vshop sandbox did not log the requests:\n%s", sandboxErr)
	}
}
