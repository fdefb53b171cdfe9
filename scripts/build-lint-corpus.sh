#!/bin/sh
# Builds the lint corpus: the C sources in internal/bpfobj/testdata/corpus/src
# with each Debian LLVM (clang-N and llc-N under /usr/lib/llvm-N/bin) in the
# ways people build BPF code, into internal/bpfobj/testdata/corpus. The
# objects are committed; the lint and load tests read them.
#
# Usage: scripts/build-lint-corpus.sh [LLVM_MAJOR...]   (default: 14 19 22)
set -eu

cd "$(dirname "$0")/.."
src=internal/bpfobj/testdata/corpus/src
out=internal/bpfobj/testdata/corpus
majors=${*:-14 19 22}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The variants each source is built in: only those whose verdicts can
# differ, to keep the corpus small.
variants_for() {
	case $1 in
	xdp_switch) echo bpf-g bpf-nog bpf-v4 native native-nojt m32 bpfeb ;;
	kprobe) echo bpf-g native m32 ;;
	maps) echo bpf-g bpf-nog m32 bpfeb ;;
	ksym) echo bpf-g bpf-nog ;;
	plain) echo bpf-g bpf-nog bpfeb ;;
	esac
}

# build MAJOR SOURCE VARIANT OUT
build() {
	bin=/usr/lib/llvm-$1/bin
	c=$src/$2.c
	case $3 in
	bpf-g) "$bin/clang" --target=bpf -O2 -g -c "$c" -o "$4" ;;
	bpf-nog) "$bin/clang" --target=bpf -O2 -c "$c" -o "$4" ;;
	bpf-v4) "$bin/clang" --target=bpf -mcpu=v4 -O2 -g -c "$c" -o "$4" ;;
	bpfeb) "$bin/clang" --target=bpfeb -O2 -g -c "$c" -o "$4" ;;
	native | native-nojt | m32)
		case $3 in
		native) flags="" ;;
		native-nojt) flags="-fno-jump-tables" ;;
		m32) flags="-m32" ;;
		esac
		# shellcheck disable=SC2086 # flags is a word list
		"$bin/clang" $flags -O2 -g -emit-llvm -c "$c" -o "$tmp/x.bc"
		"$bin/llc" -march=bpf -filetype=obj "$tmp/x.bc" -o "$4"
		;;
	esac
}

rm -f "$out"/*.o
for n in $majors; do
	if [ ! -x "/usr/lib/llvm-$n/bin/clang" ] || [ ! -x "/usr/lib/llvm-$n/bin/llc" ]; then
		echo "build-lint-corpus: no clang/llc under /usr/lib/llvm-$n/bin" >&2
		exit 1
	fi
	for s in xdp_switch kprobe maps ksym plain; do
		for v in $(variants_for $s); do
			# -mcpu=v4 is LLVM 17's (llvm-project 8f28e8069c4b).
			if [ "$v" = bpf-v4 ] && [ "$n" -lt 17 ]; then
				continue
			fi
			build "$n" "$s" "$v" "$out/$s-llvm$n-$v.o"
		done
	done
done
ls -l "$out"/*.o | awk '{ n++; sz += $5 } END { printf "build-lint-corpus: %d objects, %d bytes\n", n, sz }'
