package ktree

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

func TestReadMakefileVersion(t *testing.T) {
	tests := []struct {
		name, text string
		want       kver.Version
		err        string
	}{
		{"6.12", "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = Baby Opossum Posse\n", kver.Version{Major: 6, Minor: 12, Patch: 117}, ""},
		{"no sublevel", "VERSION = 6\nPATCHLEVEL = 17\nSUBLEVEL =\n", kver.Version{Major: 6, Minor: 17, Patch: 0}, ""},
		{"no spaces", "VERSION=5\nPATCHLEVEL=15\n", kver.Version{Major: 5, Minor: 15, Patch: 0}, ""},
		{"first one wins", "VERSION = 6\nPATCHLEVEL = 1\nVERSION = 9\n", kver.Version{Major: 6, Minor: 1, Patch: 0}, ""},
		{"not a number", "VERSION = six\n", kver.Version{}, `VERSION = "six" is not a number`},
		{"not a kernel Makefile", "all:\n\techo hi\n", kver.Version{}, "no VERSION and PATCHLEVEL"},
	}
	for _, tt := range tests {
		got, err := ReadMakefileVersion(strings.NewReader(tt.text))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestOpenTree(t *testing.T) {
	mk := "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n"
	tests := []struct {
		name  string
		files map[string]string
		err   string
	}{
		{"tree", map[string]string{"Makefile": mk, "Kconfig": ""}, ""},
		{"no Makefile", map[string]string{"Kconfig": ""}, "open kernel tree t: open Makefile"},
		{"not a kernel Makefile", map[string]string{"Makefile": "all:\n", "Kconfig": ""}, "no VERSION"},
		{"no Kconfig", map[string]string{"Makefile": mk}, "Kconfig: file does not exist"},
	}
	for _, tt := range tests {
		fsys := fstest.MapFS{}
		for p, s := range tt.files {
			fsys[p] = &fstest.MapFile{Data: []byte(s)}
		}
		tr, err := OpenTree(fsys, "t")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || tr.Version != (kver.Version{Major: 6, Minor: 12, Patch: 3}) {
			t.Errorf("%s: %+v, %v", tt.name, tr, err)
		}
	}
}

func TestTreeFragments(t *testing.T) {
	fsys := fstest.MapFS{
		"Makefile":                      {Data: []byte("VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n")},
		"Kconfig":                       {Data: []byte("")},
		SelftestsDir + "/config":        {Data: []byte("CONFIG_BPF=y\nCONFIG_NR_CPUS=64\n")},
		SelftestsDir + "/config.vm":     {Data: []byte("CONFIG_9P_FS=y\n")},
		SelftestsDir + "/config.x86_64": {Data: []byte("CONFIG_NR_CPUS=128\n")},
	}
	tr, err := OpenTree(fsys, "linux")
	if err != nil {
		t.Fatal(err)
	}
	x86, _ := kconfig.LookupArch("x86_64")
	arm, _ := kconfig.LookupArch("aarch64")
	tests := []struct {
		arch  *kconfig.Arch
		vm    bool
		files string
		lacks string
		cpus  string
	}{
		{&x86, false, "config config.x86_64", "", "128"},
		{&x86, true, "config config.vm config.x86_64", "", "128"},
		{&arm, false, "config", "config.aarch64", "64"},
		{nil, false, "config", "", "64"},
	}
	for _, tt := range tests {
		s, err := tr.Fragments(tt.arch, tt.vm)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range s.Files {
			names = append(names, f.Name)
		}
		var cpus string
		for _, w := range s.Wanted() {
			if w.Symbol == "NR_CPUS" {
				cpus = w.Value
			}
		}
		if strings.Join(names, " ") != tt.files || strings.Join(s.Lacks, " ") != tt.lacks || cpus != tt.cpus {
			t.Errorf("arch %v vm %v: files %v lacks %v NR_CPUS=%s; want %q %q %s", tt.arch, tt.vm, names, s.Lacks, cpus, tt.files, tt.lacks, tt.cpus)
		}
		if s.Name != "Linux 6.12.3" || !strings.Contains(s.Files[0].Path, "linux/tools/testing/selftests/bpf/config") {
			t.Errorf("Name %q, path %q", s.Name, s.Files[0].Path)
		}
	}
	delete(fsys, SelftestsDir+"/config")
	if _, err := tr.Fragments(&x86, false); err == nil || !strings.Contains(err.Error(), "load fragment linux/tools/testing/selftests/bpf/config") {
		t.Errorf("tree without the selftests config: err = %v", err)
	}
}
