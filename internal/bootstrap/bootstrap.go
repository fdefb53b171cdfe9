// Package bootstrap holds what the two source builds share (llvmbuild for
// LLVM, paholebuild for pahole): the distribution's command for a missing
// build dependency, and the shell line that puts a new build first on PATH.
package bootstrap

import (
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/shell"
)

// InstallCommand is h's distribution's command that installs pkgs (with
// sudo unless h is root), "" when the distribution is unknown.
func InstallCommand(h *host.Host, pkgs ...distro.Package) string {
	cmd, _ := distro.OfHost(h).InstallCommand(h.UID == 0, pkgs...)
	return cmd
}

// PathLine is the shell line that puts dir first on PATH.
func PathLine(dir string) string { return "export PATH=" + shell.Quote(dir) + ":$PATH" }
