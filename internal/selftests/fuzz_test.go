package selftests

import (
	"os"
	"testing"
	"testing/fstest"
)

// FuzzMakefile feeds arbitrary Makefiles to every reader of a suite: none
// may panic or loop, whatever the conditionals and continuations.
func FuzzMakefile(f *testing.F) {
	if b, err := os.ReadFile("testdata/linux-6.12/" + Dir + "/Makefile"); err == nil {
		f.Add(string(b))
	}
	f.Add("ifeq ($(SRCARCH),x86)\nLLD := lld\nelse ifeq ($(ARCH),arm64)\nLLD := ld\nelse\nendif\nendif\nx:\n\t-fuse-ld=$(LLD)\\\n")
	f.Add("VMLINUX_BTF_PATHS ?= $(if $(O),$(O)/vmlinux) $(((( ))\nall: docs\n")
	f.Fuzz(func(t *testing.T, mk string) {
		s, err := Open(fstest.MapFS{Dir + "/Makefile": {Data: []byte(mk)}, Dir + "/Makefile.docs": {Data: []byte(mk)}}, "t", "x86")
		if err != nil {
			t.Fatal(err)
		}
		s.Linker()
		s.Docs()
		s.Libraries()
		s.Optionals()
		s.MCPU()
		s.Modules()
		s.BTFPaths(Vars{O: "o", Release: "r", TreeAbs: "/t"})
	})
}

// FuzzInstructionForms feeds arbitrary C to the inline-asm scanner.
func FuzzInstructionForms(f *testing.F) {
	f.Add("asm volatile (\"r0 = 0; w1 %%= 2; l0_%=: exit;\" ::: __clobber_all);")
	f.Add("asm volatile (\"\\")
	f.Add("asm volatile \"%[")
	f.Fuzz(func(t *testing.T, src string) {
		for form := range instructionForms(src) {
			if form == "" {
				t.Fatal("empty form")
			}
		}
	})
}
