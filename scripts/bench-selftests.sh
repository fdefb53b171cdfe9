#!/usr/bin/env bash
# Measures what the selftests area adds to `bpfdoctor check` on a kernel
# tree: the median wall time of a check with and without the area, the
# area alone, and the two steps on its critical path (bpf_doc.py making
# bpf_helper_defs.h, then the sample compile). The goal: at most 1 s more
# on 2 cores (issue 11).
#
#   scripts/bench-selftests.sh TREE [RUNS]    (default 9 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
	echo "usage: scripts/bench-selftests.sh TREE [RUNS]" >&2
	exit 2
fi
tree=$(cd "$1" && pwd)
runs=${2:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/bpfdoctor" ./cmd/bpfdoctor
bd=$work/bpfdoctor

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

skip=$("$bd" list | grep -o 'selftests\.[a-z-]*' | sort -u | paste -sd, -)
with=$(median_ms "$bd" check --kernel-src "$tree")
without=$(median_ms "$bd" check --kernel-src "$tree" --skip "$skip")
alone=$(median_ms "$bd" check --kernel-src "$tree" --only selftests)
st=$tree/tools/testing/selftests/bpf
defs=$(median_ms python3 "$tree/scripts/bpf_doc.py" --header --file "$tree/tools/include/uapi/linux/bpf.h")
python3 "$tree/scripts/bpf_doc.py" --header --file "$tree/tools/include/uapi/linux/bpf.h" >"$work/bpf_helper_defs.h"
sys=$(clang -v -E - </dev/null 2>&1 | sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }' | tr '\n' ' ')
sample() {
	printf '%s\n' verifier_bounds verifier_spill_fill verifier_var_off verifier_jeq_infer_not_null verifier_subreg verifier_linked_scalars |
		xargs -P"$(nproc)" -I{} sh -c "clang -g -Wall -D__TARGET_ARCH_x86 -mlittle-endian -I $work -I $st -I $tree/tools/lib -I $tree/tools/include/uapi $sys -O2 --target=bpf -mcpu=v3 -c $st/progs/{}.c -o $work/{}.o 2>/dev/null || true"
}
comp=$(median_ms sample)
echo "tree $tree, $runs runs, $(nproc) cores, median wall:"
echo "  check with the selftests area     $with ms"
echo "  check without it (--skip ...)     $without ms"
echo "  added by the area                 $(awk -v a="$with" -v b="$without" 'BEGIN{printf "%.1f", a-b}') ms (goal: <= 1000)"
echo "  check --only selftests            $alone ms"
echo "  bpf_doc.py bpf_helper_defs.h      $defs ms"
echo "  the 6-program sample compile      $comp ms"
