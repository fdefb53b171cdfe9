// Package kconfig reads Linux kernel configurations: full .config files,
// /proc/config.gz and the BPF selftests' config fragments (the sets built
// into bpfdoctor, or any directory of them), and finds the config of the
// running kernel. It compares a config with a fragment set, holds the
// explanation of the difference (causes, wording, the fix) and writes the
// fix as a fragment or as scripts/config commands.
//
// It knows nothing of symbol types or dependencies (that lives in the
// Kconfig files; see package kconfiglang), so values are classified by
// their spelling only and, on its own, it groups missing options under a
// parent by their names only.
package kconfig
