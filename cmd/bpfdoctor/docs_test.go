package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra/doc"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/man from the commands (scripts/gen-docs.sh)")

// manDir holds the man pages generated from the cobra commands. This test
// regenerates them and fails when the committed ones differ, so flags and
// help text cannot drift from the pages.
var manDir = filepath.Join("..", "..", "docs", "man")

func TestManPagesUpToDate(t *testing.T) {
	root := newRootCmd(IO{Getenv: func(string) string { return "" }})
	root.DisableAutoGenTag = true // no generation date in the pages
	tmp := t.TempDir()
	// A fixed date: the pages change only when the commands do.
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	header := &doc.GenManHeader{Title: "BPFDOCTOR", Section: "1", Source: "bpfdoctor", Manual: "bpfdoctor manual", Date: &date}
	if err := doc.GenManTree(root, header, tmp); err != nil {
		t.Fatal(err)
	}
	if *updateDocs {
		if err := os.RemoveAll(manDir); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(manDir, os.DirFS(tmp)); err != nil {
			t.Fatal(err)
		}
	}
	gen, _ := filepath.Glob(filepath.Join(tmp, "*.1"))
	have, _ := filepath.Glob(filepath.Join(manDir, "*.1"))
	if len(gen) != len(have) {
		t.Errorf("docs/man has %d pages, the commands make %d: run scripts/gen-docs.sh", len(have), len(gen))
	}
	for _, g := range gen {
		want, _ := os.ReadFile(g)
		got, err := os.ReadFile(filepath.Join(manDir, filepath.Base(g)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/man/%s is out of date: run scripts/gen-docs.sh", filepath.Base(g))
		}
	}
}

// TestArchitectureNamesEveryPackage keeps docs/ARCHITECTURE.md's package
// table complete: every package directory of the module has a row, and every
// row names a package that exists.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9/]+)` \\|").FindAllSubmatch(b, -1) {
		rows[string(m[1])] = true
	}
	have := map[string]bool{}
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join("..", "..", top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "fragments" || d.Name() == "keys") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				rel, _ := filepath.Rel(filepath.Join("..", ".."), filepath.Dir(p))
				have[filepath.ToSlash(rel)] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for p := range have {
		if !rows[p] {
			t.Errorf("docs/ARCHITECTURE.md has no row for package %s", p)
		}
	}
	for p := range rows {
		if !have[p] {
			t.Errorf("docs/ARCHITECTURE.md names %s, which is not a package", p)
		}
	}
}
