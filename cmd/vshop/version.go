package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// newVersionCommand is `vshop version`: what this binary is, from the build information the Go
// toolchain records in it.
func newVersionCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version, VCS revision and Go version of this binary",
		Long: `Print what this binary was built from: the module and its version, the VCS revision and its time
(and whether the tree had uncommitted changes), and the Go version, from the build information Go
records in every binary. 'go build' and 'go install' in a git checkout record the revision.`,
		Example: `  vshop version
  go run ./cmd/vshop version`,
		Args: noArgs,
		RunE: a.action(func(*cobra.Command) error {
			if _, err := fmt.Fprint(a.stdout, versionText(debug.ReadBuildInfo())); err != nil {
				return localIOError("writing stdout", err)
			}
			return nil
		}),
	}
}

// versionText formats the build information, or says it is missing.
func versionText(info *debug.BuildInfo, ok bool) string {
	t := &table{}
	if !ok {
		t.add("version", "unknown (no build information in this binary)")
		t.add("go", runtime.Version())
	} else {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		revision := settings["vcs.revision"]
		switch {
		case revision == "":
			revision = "unknown (not recorded by this build: go run, -buildvcs=false and builds outside a git checkout leave it out)"
		case settings["vcs.modified"] == "true":
			revision += " (with uncommitted changes)"
		}
		t.add("module", info.Main.Path)
		t.add("version", info.Main.Version)
		t.add("revision", revision)
		if when := settings["vcs.time"]; when != "" {
			t.add("time", when)
		}
		t.add("go", info.GoVersion)
	}
	var b strings.Builder
	b.WriteString("vshop\n")
	t.write(&b, "  ")
	return b.String()
}
