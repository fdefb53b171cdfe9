#!/usr/bin/env bash
# Times `bpfdoctor lint` on 500 objects (copies of the real objects in
# internal/bpfobj/testdata), and `lint --load` on them when run as root:
# the median of RUNS runs, wall time and CPU time (user + system).
#
#   scripts/bench-lint.sh [RUNS]    (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/bpfdoctor" ./cmd/bpfdoctor

# 500 objects: the BPF objects of the testdata, with and without BTF.
mkdir "$work/objs"
srcs=(internal/bpfobj/testdata/probe-clang14.bpf.o internal/bpfobj/testdata/probe-clang14-nog.bpf.o)
for i in $(seq 0 499); do
	cp "${srcs[$((i % ${#srcs[@]}))]}" "$work/objs/obj$i.o"
done

# median CMD...: prints "wall_ms cpu_ms", the medians of RUNS runs.
median() {
	local walls=() cpus=()
	for _ in $(seq "$runs"); do
		local out
		out=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$work/out" 2>&1 || true; } 2>&1 )
		read -r r u s <<<"$out"
		walls+=("$(awk -v r="$r" 'BEGIN{printf "%d", r*1000}')")
		cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%d", (u+s)*1000}')")
	done
	local w c
	w=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	c=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	echo "$w $c"
}

read -r w c <<<"$(median "$work/bpfdoctor" lint "$work"/objs/*.o)"
printf 'lint, 500 objects:        wall %5d ms  cpu %5d ms  (median of %d)\n' "$w" "$c" "$runs"
if [ "$(id -u)" = 0 ]; then
	read -r w c <<<"$(median "$work/bpfdoctor" lint --load "$work"/objs/*.o)"
	printf 'lint --load, 500 objects: wall %5d ms  cpu %5d ms  (median of %d)\n' "$w" "$c" "$runs"
	grep -c 'load: .*: loaded' "$work/out" | sed 's/^/programs loaded in the last run: /'
else
	echo "lint --load: not run (not root)"
fi
