package llvmbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/cmake"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// supportFiles is how many translation units the miniature LLVM has: enough
// ninja edges to stop a build in the middle and resume it.
const supportFiles = 10

// miniLLVM writes a miniature llvm-project: llvm/CMakeLists.txt in LLVM's
// shape (the cache variables, LLVM's link job pool) building a support
// library and an llc that prints LLVM's --version with the targets it was
// configured for.
func miniLLVM(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	files := map[string]string{
		"llvm/CMakeLists.txt": `cmake_minimum_required(VERSION 3.20.0)
set(LLVM_VERSION_MAJOR 23)
project(LLVM CXX)
set(LLVM_TARGETS_TO_BUILD "all" CACHE STRING "Semicolon-separated list of targets to build")
set(LLVM_ENABLE_PROJECTS "" CACHE STRING "Semicolon-separated list of projects to build")
set(LLVM_PARALLEL_LINK_JOBS "" CACHE STRING "Maximum number of concurrent link jobs (Ninja only)")
if(LLVM_PARALLEL_LINK_JOBS)
  set_property(GLOBAL APPEND PROPERTY JOB_POOLS link_job_pool=${LLVM_PARALLEL_LINK_JOBS})
  set(CMAKE_JOB_POOL_LINK link_job_pool)
endif()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/tools/llc/targets.h.in ${CMAKE_BINARY_DIR}/include/targets.h)
file(GLOB support_sources ${CMAKE_CURRENT_SOURCE_DIR}/lib/Support/*.cpp)
add_library(LLVMSupport STATIC ${support_sources})
add_executable(llc tools/llc/llc.cpp)
target_include_directories(llc PRIVATE ${CMAKE_BINARY_DIR}/include)
target_link_libraries(llc LLVMSupport)
set_target_properties(llc PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
install(TARGETS llc RUNTIME DESTINATION bin)
`,
		"llvm/tools/llc/targets.h.in": "#define LLVM_TARGETS \"@LLVM_TARGETS_TO_BUILD@\"\n",
		"llvm/tools/llc/llc.cpp": `#include <cstdio>
#include <cstring>
#include <string>
#include "targets.h"

int support_sum();

int main(int argc, char **argv) {
  if (argc < 2 || std::strcmp(argv[1], "--version") != 0)
    return 1;
  std::printf("LLVM (http://llvm.org/):\n  LLVM version 23.1.3\n  Optimized build.\n"
              "  Default target: x86_64-unknown-linux-gnu\n  Host CPU: generic\n\n  Registered Targets:\n");
  std::string t = std::string(";") + LLVM_TARGETS + ";";
  if (t.find(";BPF;") != std::string::npos) {
    std::puts("    bpf    - BPF (host endian)");
    std::puts("    bpfeb  - BPF (big endian)");
    std::puts("    bpfel  - BPF (little endian)");
  }
  if (t.find(";X86;") != std::string::npos) {
    std::puts("    x86    - 32-bit X86: Pentium-Pro and above");
    std::puts("    x86-64 - 64-bit X86: EM_X86_64");
  }
  return support_sum() == 0;
}
`,
	}
	var sum strings.Builder
	sum.WriteString("int support_sum() { return 0")
	for i := range supportFiles {
		files[fmt.Sprintf("llvm/lib/Support/S%02d.cpp", i)] = fmt.Sprintf("int support_%d() { return %d; }\n", i, i)
		fmt.Fprintf(&sum, " + support_%d()", i)
	}
	var decls strings.Builder
	for i := range supportFiles {
		fmt.Fprintf(&decls, "int support_%d();\n", i)
	}
	files["llvm/lib/Support/Sum.cpp"] = decls.String() + sum.String() + "; }\n"
	for name, body := range files {
		testkit.WriteFile(t, filepath.Join(src, name), body, 0o644)
	}
	return src
}

type statusLog struct {
	mu sync.Mutex
	s  []cmake.Status
}

func (l *statusLog) add(s cmake.Status) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s = append(l.s, s)
}

func (l *statusLog) all() []cmake.Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]cmake.Status(nil), l.s...)
}

// checkStatuses requires one run's statuses to count up to their total.
func checkStatuses(t *testing.T, ss []cmake.Status) {
	t.Helper()
	if len(ss) == 0 {
		t.Fatal("no [n/N] status from ninja")
	}
	for i, s := range ss {
		if s.Total != ss[0].Total || (i > 0 && s.Done < ss[i-1].Done) || s.Edge == "" {
			t.Fatalf("status %d = %+v after %+v", i, s, ss[max(i-1, 0)])
		}
	}
	if last := ss[len(ss)-1]; last.Done != last.Total {
		t.Errorf("last status %+v: not finished", last)
	}
}

// The real thing on a miniature tree: cmake configures with the plan's
// flags, ninja builds, a stop in the middle is resumed by the next run
// without configuring again, the new llc is checked for BPF and
// installed, and a third run has no work.
func TestRunEndToEnd(t *testing.T) {
	testkit.Tools(t, "cmake", "ninja", "c++")
	src := miniLLVM(t)
	build := filepath.Join(t.TempDir(), "build")
	prefix := filepath.Join(t.TempDir(), "opt", "llvm")
	h := host.Real()
	p, err := NewPlan(context.Background(), h, Options{
		Src: src, BuildDir: build, Prefix: prefix, HostArch: "amd64", CPUs: runtime.NumCPU(),
		Jobs:     1, // one edge at a time, so the stop lands mid-build
		DiskNeed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := p.Blocked(); len(b) > 0 {
		t.Fatalf("preflight: %+v", b)
	}

	// Run 1: stopped (as by Ctrl-C) once three edges are done.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first statusLog
	var log bytes.Buffer
	start := time.Now()
	_, err = p.Run(ctx, h, RunOptions{Log: &log, Progress: func(s cmake.Status) {
		first.add(s)
		if s.Done >= 3 {
			cancel()
		}
	}})
	t.Logf("run 1 (configure, stopped at 3 edges): %s", time.Since(start))
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "build LLVM: interrupted; run the same command again to resume") {
		t.Fatalf("err = %v\n%s", err, log.String())
	}
	fs := first.all()
	total1 := fs[0].Total
	if total1 < supportFiles+2 {
		t.Errorf("first run's total %d, want every edge (%d sources, 2 links)", total1, supportFiles+1)
	}

	cache, err := cmake.ReadCache(filepath.Join(build, "CMakeCache.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"CMAKE_GENERATOR": "Ninja", "CMAKE_BUILD_TYPE": "Release", "LLVM_TARGETS_TO_BUILD": "BPF;X86",
		"LLVM_ENABLE_PROJECTS": "clang", "LLVM_BUILD_RUNTIME": "OFF", "CMAKE_INSTALL_PREFIX": prefix,
		"LLVM_PARALLEL_LINK_JOBS": fmt.Sprint(p.LinkJobs),
	} {
		if cache[k] != want {
			t.Errorf("CMakeCache %s = %q, want %q", k, cache[k], want)
		}
	}
	if p.UseLLD != (cache["LLVM_USE_LINKER"] == "lld") || p.UseCCache != (cache["LLVM_CCACHE_BUILD"] == "ON") {
		t.Errorf("lld/ccache flags: plan %v/%v, cache %q/%q", p.UseLLD, p.UseCCache, cache["LLVM_USE_LINKER"], cache["LLVM_CCACHE_BUILD"])
	}

	// Run 2 resumes: no cmake, fewer edges left, and it finishes.
	var second statusLog
	log.Reset()
	start = time.Now()
	res, err := p.Run(context.Background(), h, RunOptions{Log: &log, Progress: second.add})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Logf("run 2 (resume, install): %s", time.Since(start))
	if res.Configured || !strings.Contains(log.String(), "is configured for this plan; not running cmake again") {
		t.Errorf("run 2 configured again: %s", log.String())
	}
	ss := second.all()
	checkStatuses(t, ss)
	if ss[0].Total >= total1 {
		t.Errorf("run 2 has %d edges to do, run 1 had %d: not resumed", ss[0].Total, total1)
	}
	if res.LLCPath != filepath.Join(prefix, "bin", "llc") || res.LLC.Version.Major() != 23 || len(res.LLC.MissingBPFTargets()) != 0 {
		t.Errorf("result = %+v", res)
	}
	if p.PathLine() != "export PATH="+filepath.Join(prefix, "bin")+":$PATH" {
		t.Errorf("PATH line = %q", p.PathLine())
	}

	// The log holds ninja's real output; every status line in it parses
	// and the last one of the resumed run is N/N.
	b, err := os.ReadFile(res.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	var fromLog []cmake.Status
	for _, line := range strings.Split(string(b), "\n") {
		if s, ok := cmake.ParseNinjaStatus(line); ok {
			fromLog = append(fromLog, s)
		} else if strings.HasPrefix(line, "[") {
			t.Errorf("unparsed status-like line %q", line)
		}
	}
	if len(fromLog) != len(fs)+len(ss) {
		t.Errorf("%d status lines in the log, %d reported", len(fromLog), len(fs)+len(ss))
	}
	if !strings.Contains(string(b), cmake.NinjaInterrupted) {
		t.Errorf("the log lacks ninja's own interrupt message")
	}

	// Run 3: nothing to do.
	res, err = p.Run(context.Background(), h, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoWork || res.Configured || res.FirstStatus != (cmake.Status{}) {
		t.Errorf("run 3 = %+v, want no work", res)
	}
}

// A changed flag configures again; a build directory of another
// generator is refused rather than deleted.
func TestRunReconfiguresAndRefusesOtherGenerator(t *testing.T) {
	testkit.Tools(t, "cmake", "ninja", "c++")
	src := miniLLVM(t)
	build := filepath.Join(t.TempDir(), "build")
	h := host.Real()
	plan := func(targets string) *Plan {
		p, err := NewPlan(context.Background(), h, Options{Src: src, BuildDir: build, HostArch: "amd64", Targets: targets, DiskNeed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	start := time.Now()
	if _, err := plan("BPF;X86").Run(context.Background(), h, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	res, err := plan("BPF").Run(context.Background(), h, RunOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("two builds: %s", time.Since(start))
	if !res.Configured || !strings.Contains(log.String(), `LLVM_TARGETS_TO_BUILD changes from "BPF;X86" to "BPF"`) || res.LLC.HasTarget("x86-64") {
		t.Errorf("reconfigure: %+v\n%s", res, log.String())
	}

	other := filepath.Join(t.TempDir(), "make-build")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "CMakeCache.txt"), []byte("CMAKE_GENERATOR:INTERNAL=Unix Makefiles\n"), 0o644)
	p, _ := NewPlan(context.Background(), h, Options{Src: src, BuildDir: other, HostArch: "amd64", DiskNeed: 1})
	_, err = p.Run(context.Background(), h, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), `was configured with the "Unix Makefiles" generator; use another --build-dir, or remove it`) {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "CMakeCache.txt")); err != nil {
		t.Errorf("the other build directory was touched: %v", err)
	}
}

// A build that fails shows the log's tail and names the log.
func TestRunFailureShowsLog(t *testing.T) {
	testkit.Tools(t, "cmake", "ninja", "c++")
	src := miniLLVM(t)
	os.WriteFile(filepath.Join(src, "llvm/lib/Support/S03.cpp"), []byte("int support_3() { return not C++; }\n"), 0o644)
	h := host.Real()
	p, _ := NewPlan(context.Background(), h, Options{Src: src, BuildDir: filepath.Join(t.TempDir(), "b"), HostArch: "amd64", DiskNeed: 1})
	var log bytes.Buffer
	_, err := p.Run(context.Background(), h, RunOptions{Log: &log})
	if err == nil || !strings.Contains(err.Error(), "build LLVM: `ninja -C ") || !strings.Contains(err.Error(), "; full log: ") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(log.String(), "the last lines of ") || !strings.Contains(log.String(), "S03.cpp") {
		t.Errorf("no useful tail:\n%s", log.String())
	}
}

// An llc without BPF is not accepted as the result.
func TestCheckLLC(t *testing.T) {
	prints := func(out string) string { return "cat <<'EOF'\n" + out + "\nEOF\n" }
	h := testkit.Fake{Tools: map[string]string{
		"llc-nobpf":   prints("LLVM (http://llvm.org/):\n  LLVM version 23.1.3\n\n  Registered Targets:\n    x86-64 - 64-bit X86: EM_X86_64\n"),
		"llc-garbage": prints("segfault"),
	}}.Host(t)
	noBPF := filepath.Join(h.Path[0], "llc-nobpf")
	if _, err := checkLLC(context.Background(), h, noBPF); err == nil || !strings.Contains(err.Error(), "lacks the BPF back end (missing: bpf, bpfel, bpfeb)") {
		t.Errorf("err = %v", err)
	}
	garbage := filepath.Join(h.Path[0], "llc-garbage")
	if _, err := checkLLC(context.Background(), h, garbage); err == nil || !strings.Contains(err.Error(), "no version line") {
		t.Errorf("err = %v", err)
	}
}
