// Package ktree is a kernel source tree: its version (from the top
// Makefile), the BPF selftests' fragments in it and its Kconfig for an
// architecture; and judging a config (Judge): picking the fragment set
// (given files, a built-in set or the tree's), comparing the config with
// it and explaining the difference, through the tree's Kconfig when there
// is one.
package ktree
