package kconfiglang

import (
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// FuzzReadKconfigTree reads a tree of up to four Kconfig files (the input
// split at NUL bytes; the top one may source the others), so source,
// macros defined in one file and used in another, and nesting are reached,
// and bounds the memory a read may allocate: a few lines must not be able
// to expand into gigabytes (the `X += $(X)` doubling).
func FuzzReadKconfigTree(f *testing.F) {
	for _, s := range []string{
		"source \"a/Kconfig\"\nconfig A\n\tbool \"a\"\n\tdepends on B\n\x00config B\n\tdef_bool y\n",
		"X := x\nsource \"a/Kconfig\"\n\x00config $(X)\n\tbool\n",
		"X = a\n" + strings.Repeat("X += $(X)\n", 8),
		"source \"Kconfig\"\n", "osource \"a/*\"\n\x00\x00\x00",
		"config A\n\tbool\n\tdepends on " + strings.Repeat("B || ", 64) + "C\n",
		"config A\n\tbool \"a\" \\\n" + strings.Repeat("\\\n", 64),
	} {
		f.Add(s)
	}
	names := []string{"Kconfig", "a/Kconfig", "a/b", "c/Kconfig"}
	f.Fuzz(func(t *testing.T, text string) {
		fsys := fstest.MapFS{}
		for i, part := range strings.SplitN(text, "\x00", len(names)) {
			fsys[names[i]] = &fstest.MapFile{Data: []byte(part)}
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		k, err := ReadKconfig(fsys, nil)
		runtime.ReadMemStats(&after)
		// 64 MiB and a thousand times the input: far above what any real
		// Kconfig needs for its size, far below a blow-up.
		if limit := uint64(64<<20 + 1000*len(text)); after.TotalAlloc-before.TotalAlloc > limit {
			t.Fatalf("reading %d bytes allocated %d MiB", len(text), (after.TotalAlloc-before.TotalAlloc)>>20)
		}
		if err != nil {
			return
		}
		s := simulate(k, &kconfig.Config{}, nil)
		for name := range k.symbols {
			s.entry(name)
		}
	})
}
