#!/usr/bin/env bash
# Refresh a fragment set built into bpfdoctor from a kernel tree:
#
#   scripts/update-fragments.sh KERNEL-TREE [SET-NAME]
#
# copies tools/testing/selftests/bpf/config, config.vm and config.<arch>
# of the tree into internal/kconfig/fragments/SET-NAME, shows what
# changed, and runs the tests that read the built-in sets. SET-NAME is
# vMAJOR.MINOR from the tree's Makefile unless given; name a tree taken
# from torvalds/linux between releases mainline-vMAJOR.MINOR. bpfdoctor
# picks, for a kernel, the newest set not newer than it, so adding a set
# needs no code change. DEST=DIR writes elsewhere (to look before
# replacing).
set -euo pipefail
cd "$(dirname "$0")/.."

tree=${1:?usage: scripts/update-fragments.sh KERNEL-TREE [SET-NAME]}
src=$tree/tools/testing/selftests/bpf
if [ ! -f "$src/config" ]; then
	echo "update-fragments: no $src/config: not a kernel tree with the BPF selftests" >&2
	exit 2
fi
version=$(awk -F'[ \t]*=[ \t]*' '
	$1 == "VERSION" && v == "" { v = $2 }
	$1 == "PATCHLEVEL" && p == "" { p = $2 }
	END { if (v != "" && p != "") print v "." p }' "$tree/Makefile")
if [ -z "$version" ]; then
	echo "update-fragments: no VERSION and PATCHLEVEL in $tree/Makefile" >&2
	exit 2
fi
name=${2:-v$version}
case $name in
v[0-9]*.[0-9]* | mainline-v[0-9]*.[0-9]*) ;;
*)
	echo "update-fragments: a set is named vMAJOR.MINOR or mainline-vMAJOR.MINOR, not $name" >&2
	exit 2
	;;
esac
dest=${DEST:-internal/kconfig/fragments/$name}

# Only the fragments bpfdoctor reads: config, config.vm and one per arch.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$src"/config "$src"/config.vm "$src"/config.x86_64 "$src"/config.aarch64 \
	"$src"/config.s390x "$src"/config.riscv64 "$src"/config.ppc64el; do
	if [ -f "$f" ]; then
		cp "$f" "$tmp/"
	fi
done

if [ -d "$dest" ]; then
	if diff -ru "$dest" "$tmp"; then
		echo "update-fragments: $dest is already the set of $tree (Linux $version)"
		exit 0
	fi
fi
rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp"/config* "$dest/"
echo "update-fragments: $dest now holds $(cd "$dest" && echo config*) of $tree (Linux $version)"

if [ -z "${DEST:-}" ]; then
	# Every built-in set must parse, for every architecture; the tests
	# that count the options of a set say when a count has changed.
	export PATH="$PATH:/usr/local/go/bin"
	go test ./internal/kconfig -run 'TestEmbedded|TestParseFragments|TestChooseEmbedded|TestLookupEmbedded'
fi
