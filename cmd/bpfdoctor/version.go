package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func newVersionCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print bpfdoctor's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(io.Out, "bpfdoctor %s (%s, %s/%s)\n", bpfdoctorVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// bpfdoctorVersion is the one version string: `bpfdoctor version`, the
// report's first row and every --format read it. The -ldflags "-X
// main.version=..." value wins; else the binary's build info says.
func bpfdoctorVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionFrom(bi)
}

// pseudoVersion matches the timestamp and revision of a Go pseudo-version
// (v0.0.0-20250101120000-a1b2c3d4e5f6, v1.2.4-0.2025..., v1.2.3-pre.0.2025...).
var pseudoVersion = regexp.MustCompile(`[-.]\d{14}-[0-9a-f]{12}(\+|$)`)

// versionFrom reads the version out of build info: a release version as
// `go install ...@v1.2.3` records it; else the commit that `go build` in a
// clone records (vcs.revision, vcs.modified), as "dev (a1b2c3d4e5f6,
// modified)"; else the pseudo-version `go install ...@commit` records;
// else "dev". Since Go 1.24 `go build` in a clone also stamps Main.Version
// with a pseudo-version (v0.0.0-...-rev+dirty), which says no more than the
// revision does, so a pseudo-version does not count as a release.
func versionFrom(bi *debug.BuildInfo) string {
	mv := bi.Main.Version
	if mv == "(devel)" {
		mv = ""
	}
	if mv != "" && !pseudoVersion.MatchString(mv) && !strings.HasSuffix(mv, "+dirty") {
		return mv
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		// 12 digits, as Go's pseudo-versions shorten a commit.
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified {
			return "dev (" + rev + ", modified)"
		}
		return "dev (" + rev + ")"
	}
	if mv != "" {
		return mv
	}
	return "dev"
}
