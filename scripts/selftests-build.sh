#!/usr/bin/env bash
# The real-build test of the selftests area: builds a kernel tree's BPF
# selftests for real (make -k, so every part that can fail does) and fails
# unless `bpfdoctor check --kernel-src TREE --only selftests` named each
# distinct root cause the build hit (scripts/selftests-causes compares).
#
#   scripts/selftests-build.sh [-o DIR] TREE
#
# make.log, findings.json and the two binaries go to DIR (default: a new
# directory under $TMPDIR). make and bpfdoctor see the caller's PATH, so
#   PATH=/usr/lib/llvm-19/bin:$PATH scripts/selftests-build.sh TREE
# tests the doctor against that clang. The build takes ~4.5 min on 2 cores.
# Exit: selftests-causes' code (0 every cause named, 1 not); 2 bad usage.
set -euo pipefail

usage() {
	echo "usage: scripts/selftests-build.sh [-o DIR] TREE" >&2
	exit 2
}

out=
while getopts :o: opt; do
	case $opt in
	o) out=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
sel=$1/tools/testing/selftests/bpf
if [ ! -f "$sel/Makefile" ]; then
	echo "selftests-build: $sel/Makefile: not found" >&2
	exit 2
fi
tree=$(cd "$1" && pwd)
sel=$tree/tools/testing/selftests/bpf
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/selftests-build.XXXXXX")
else
	mkdir -p "$out"
fi
out=$(cd "$out" && pwd)

# go may sit outside the caller's PATH (/usr/local/go/bin); make and
# bpfdoctor still get that PATH unchanged.
gobin=$(command -v go || echo /usr/local/go/bin/go)
start=$(date +%s)
(cd "$repo" && "$gobin" build -o "$out/bpfdoctor" ./cmd/bpfdoctor && "$gobin" build -o "$out/selftests-causes" ./scripts/selftests-causes)

# The prediction first, on the tree as it is before make touches it;
# bpfdoctor exits non-zero when a finding fails, only its JSON matters.
doctor_rc=0
"$out/bpfdoctor" check --kernel-src "$tree" --only selftests --format json >"$out/findings.json" 2>"$out/bpfdoctor.stderr" || doctor_rc=$?
if [ ! -s "$out/findings.json" ]; then
	echo "selftests-build: bpfdoctor check exited $doctor_rc with no JSON; its stderr: $(head -c 300 "$out/bpfdoctor.stderr")" >&2
	echo '{"findings":[]}' >"$out/findings.json"
fi

echo "selftests-build: make -k -j$(nproc) -C $sel > $out/make.log"
make_rc=0
make_start=$(date +%s)
make -k -j"$(nproc)" -C "$sel" >"$out/make.log" 2>&1 || make_rc=$?
make_s=$(($(date +%s) - make_start))
echo "selftests-build: make exited $make_rc after ${make_s}s"

rc=0
"$out/selftests-causes" -log "$out/make.log" -findings "$out/findings.json" || rc=$?
echo "selftests-build: $(($(date +%s) - start))s in all (make ${make_s}s); log, findings in $out"
exit "$rc"
