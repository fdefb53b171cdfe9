// Package kconfiglang reads the kernel's Kconfig language: its tokens,
// macros and expressions, and a tree's Kconfig files into symbols with
// their types, prompts, dependencies, defaults, ranges, selects and
// choices. It computes what make olddefconfig makes of a config with
// lines merged on top of it, and with that explains a kconfig.Diff: the
// option that hides each missing one, the parents the fix must add, and
// which wanted options the kernel will refuse, and why.
package kconfiglang
