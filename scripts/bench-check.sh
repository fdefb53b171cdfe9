#!/usr/bin/env bash
# Measures `bpfdoctor check` against the external commands it runs, each
# timed alone, one after another, in the same run. The goals: a full check
# under 500 ms on 2 cores, and within 1.15x of its commands' total CPU time
# divided by the cores (what a perfect scheduler could not beat); the ratio
# to the slowest single command is shown too.
#
#   scripts/bench-check.sh [RUNS]    (default 15; median wall time of each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
bin=$(mktemp -d)/bpfdoctor
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/bpfdoctor
PATH="$PATH:/usr/sbin"

probe_dir=$(mktemp -d)
trap 'rm -rf "$(dirname "$bin")" "$probe_dir"' EXIT
printf 'int x __attribute__((section("xdp"), used)) = 1;\n' > "$probe_dir/p.c"

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

# median_cpu_ms CMD...: median CPU time (user + system) in ms of RUNS runs.
median_cpu_ms() {
	local t=() TIMEFORMAT='%3U %3S' u sy
	for _ in $(seq "$runs"); do
		read -r u sy < <({ time "$@" >/dev/null 2>&1; } 2>&1 || true)
		t+=("$(awk -v a="$u" -v b="$sy" 'BEGIN{printf "%.1f", (a+b)*1000}')")
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'
}

# What `bpfdoctor check` runs on a Debian machine whose llc, clang and
# llvm-strip are of one LLVM (it then takes llvm-strip's version and clang's CPU
# levels from llc instead of running them again).
cmds=(
	"llc --version"
	"llc -march=bpf -mcpu=help"
	"clang --version"
	"clang --target=bpf -O2 -g -c $probe_dir/p.c -o $probe_dir/p.o"
	"clang -O2 -g -emit-llvm -c $probe_dir/p.c -o $probe_dir/p.bc"
	"llc -march=bpf -filetype=obj $probe_dir/p.bc -o $probe_dir/p2.o"
	"clang -O2 -g -fno-jump-tables -emit-llvm -c $probe_dir/p.c -o $probe_dir/p3.bc"
	"llc -march=bpf -filetype=obj $probe_dir/p3.bc -o $probe_dir/p3.o"
	"pahole --version"
	"pkg-config --modversion libbpf"
	"bpftool version -j"
	"bpftool btf dump file /sys/kernel/btf/vmlinux format c"
)
slowest=0
slowest_cmd=
sum=0
cpu=0
printf '%-60s %10s %10s\n' "command (alone, median of $runs)" "wall ms" "cpu ms"
for c in "${cmds[@]}"; do
	read -r -a argv <<<"$c"
	command -v "${argv[0]}" >/dev/null || { printf '%-60s %10s\n' "$c" "missing"; continue; }
	ms=$(median_ms "${argv[@]}")
	cms=$(median_cpu_ms "${argv[@]}")
	printf '%-60s %10s %10s\n' "$c" "$ms" "$cms"
	sum=$(awk -v a="$sum" -v b="$ms" 'BEGIN{print a+b}')
	cpu=$(awk -v a="$cpu" -v b="$cms" 'BEGIN{print a+b}')
	if awk -v a="$ms" -v b="$slowest" 'BEGIN{exit !(a>b)}'; then slowest=$ms slowest_cmd=$c; fi
done
full=$(median_ms "$bin" check --color=never)
# The check's own CPU time, its children's included: every command it runs
# (the build probe's clang, bpftool and cc too), measured in the same run.
fullcpu=$(median_cpu_ms "$bin" check --color=never)
nopit=$(median_ms "$bin" check --color=never --skip clang.pitfalls)
printf '%-60s %10s\n' "sum of the commands, one after another" "$sum"
printf '%-60s %10s\n' "bpfdoctor check (all checks, concurrent)" "$full"
# clang.pitfalls adds a native clang | llc build (about 60 ms of CPU): on
# two cores it competes with bpftool, the slowest command.
printf '%-60s %10s\n' "bpfdoctor check --skip clang.pitfalls" "$nopit"
cores=$(nproc)
awk -v f="$full" -v s="$slowest" -v c="$slowest_cmd" -v cpu="$cpu" -v fc="$fullcpu" -v n="$cores" 'BEGIN{
	printf "listed commands CPU time %.1f ms / %d cores = %.1f ms (ratio %.2fx)\n", cpu, n, cpu/n, f/(cpu/n)
	printf "bpfdoctor check CPU time, its children included: %.1f ms / %d cores = %.1f ms\n", fc, n, fc/n
	printf "ratio of its wall time to that: %.2fx (goal <= 1.15x)\n", f/(fc/n)
	printf "ratio to the slowest command (%s): %.2fx\n", c, f/s
	printf "under 500 ms: %s\n", (f < 500 ? "yes" : "no")
}'

echo
echo "go test -bench (the same run in-process, without start-up):"
go test -run '^$' -bench 'RunAll|Runner' -benchtime "${runs}x" ./internal/checks | grep -E '^Benchmark'

