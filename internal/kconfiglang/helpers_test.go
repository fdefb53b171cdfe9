package kconfiglang

import (
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

func mustParse(t *testing.T, s string) *kconfig.Config {
	t.Helper()
	cfg, err := kconfig.Parse(strings.NewReader(s), "sample")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// setOf builds a fragment set from fragments given as name: text.
func setOf(t *testing.T, files ...string) *kconfig.FragmentSet {
	t.Helper()
	var fs []kconfig.Fragment
	for i := 0; i < len(files); i += 2 {
		fs = append(fs, kconfig.Fragment{Name: files[i], Path: files[i], Config: mustParse(t, files[i+1])})
	}
	return kconfig.NewFragmentSet("test", fs)
}
