package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionAndCompletionBinaries is acceptance point 4 of issue 13: `vshop version` and `vshop
// completion bash` work from `go install` and from `go run`; the installed binary reports the
// module, the VCS revision of this tree and the Go version. It also checks that a local write error
// (`vshop spec >/dev/full`) exits 4, not 3.
func TestVersionAndCompletionBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin := t.TempDir()
	install := exec.Command("go", "install", ".")
	install.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-buildvcs=auto")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	installed := filepath.Join(gobin, "vshop")
	// What the toolchain recorded, read by the toolchain itself: the revision vshop must show.
	meta, err := exec.Command("go", "version", "-m", installed).Output()
	if err != nil {
		t.Fatal(err)
	}
	wantRevision := "revision  unknown"
	for _, l := range strings.Split(string(meta), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision=") {
			wantRevision = "revision  " + strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	runners := map[string][]string{
		"go install": {installed},
		"go run":     {"go", "run", "."},
	}
	for name, argv := range runners {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(argv[0], append(argv[1:], "version")...).Output()
			if err != nil {
				t.Fatalf("version: %v", err)
			}
			s := string(out)
			if !strings.Contains(s, "module    github.com/vshop-go/vshop") || !strings.Contains(s, "go        "+runtime.Version()) {
				t.Errorf("version:\n%s", s)
			}
			if name == "go install" && !strings.Contains(s, wantRevision) {
				t.Errorf("version does not show %q (from go version -m):\n%s", wantRevision, s)
			}
			out, err = exec.Command(argv[0], append(argv[1:], "completion", "bash")...).Output()
			if err != nil || !strings.Contains(string(out), "__start_vshop") {
				t.Errorf("completion bash: %v\n%.200s", err, out)
			}
			t.Logf("%s: vshop version:\n%s", name, s)
		})
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	spec := exec.Command(installed, "spec")
	spec.Stdout = full
	stderr, _ := spec.StderrPipe()
	spec.Start()
	msg := make([]byte, 512)
	n, _ := stderr.Read(msg)
	spec.Wait()
	if code := spec.ProcessState.ExitCode(); code != exitLocalIO || !strings.Contains(string(msg[:n]), "writing stdout") {
		t.Errorf("vshop spec >/dev/full: exit %d, want %d; stderr %q", code, exitLocalIO, msg[:n])
	}
}
