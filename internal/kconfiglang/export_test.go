package kconfiglang

import "github.com/bpfdoctor/bpfdoctor/internal/kconfig"

// Simulate gives the external tests what make olddefconfig makes of
// base: the entry each symbol ends up with.
func Simulate(k *Kconfig, base *kconfig.Config) func(name string) (kconfig.Entry, bool) {
	return simulate(k, base, nil).entry
}

// DefinedSymbols lists the symbols k defines, not those it only names.
func DefinedSymbols(k *Kconfig) []string {
	var out []string
	for name, sym := range k.symbols {
		if sym.defined {
			out = append(out, name)
		}
	}
	return out
}
