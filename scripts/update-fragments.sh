#!/usr/bin/env bash
# Refresh a fragment set built into bpfdoctor from a kernel tree:
#
#   SOURCE='Debian linux-source-7.2 7.2.13-1' scripts/update-fragments.sh KERNEL-TREE [SET-NAME]
#
# copies every tools/testing/selftests/bpf/config* fragment of the tree
# (config, config.vm and one per arch, whichever the tree has) into
# internal/kconfig/fragments/SET-NAME, writes SET-NAME/SOURCE (where the
# tree came from, its Makefile version, the date and this command), shows
# what changed, and runs the tests that read the built-in sets. SOURCE says
# where the tree came from: a package and its version, or a repository and
# commit ("torvalds/linux 38b74b212a34"); it is required, since a set
# nobody can trace cannot be refreshed. SET-NAME is vMAJOR.MINOR from the
# tree's Makefile unless given; name a tree taken from torvalds/linux
# between releases mainline-vMAJOR.MINOR. A release set replaces the
# mainline sets it has caught up with. bpfdoctor picks, for a kernel, the
# newest set not newer than it, so adding a set needs no code change.
# DEST=DIR writes elsewhere (to look before replacing).
set -euo pipefail
cd "$(dirname "$0")/.."

usage='usage: SOURCE=PROVENANCE scripts/update-fragments.sh KERNEL-TREE [SET-NAME]'
tree=${1:?$usage}
if [ -z "${SOURCE:-}" ]; then
	echo "update-fragments: SOURCE is not set: say where $tree came from (package and version, or repository and commit)" >&2
	echo "$usage" >&2
	exit 2
fi
src=$tree/tools/testing/selftests/bpf
if [ ! -f "$src/config" ]; then
	echo "update-fragments: no $src/config: not a kernel tree with the BPF selftests" >&2
	exit 2
fi
# The tree's own version, as the Makefile's first assignments give it.
makever=$(awk -F'[ \t]*=[ \t]*' '
	$1 == "VERSION" && !("v" in s) { s["v"] = $2 }
	$1 == "PATCHLEVEL" && !("p" in s) { s["p"] = $2 }
	$1 == "SUBLEVEL" && !("s" in s) { s["s"] = $2 }
	$1 == "EXTRAVERSION" && !("e" in s) { s["e"] = $2 }
	END {
		if (s["v"] == "" || s["p"] == "") exit
		out = s["v"] "." s["p"]
		if (s["s"] != "") out = out "." s["s"]
		print out s["e"]
	}' "$tree/Makefile")
if [ -z "$makever" ]; then
	echo "update-fragments: no VERSION and PATCHLEVEL in $tree/Makefile" >&2
	exit 2
fi
version=$(echo "$makever" | cut -d. -f1,2)
name=${2:-v$version}
case $name in
v[0-9]*.[0-9]* | mainline-v[0-9]*.[0-9]*) ;;
*)
	echo "update-fragments: a set is named vMAJOR.MINOR or mainline-vMAJOR.MINOR, not $name" >&2
	exit 2
	;;
esac
if [ "${name#mainline-}" != "v$version" ]; then
	echo "update-fragments: $tree is Linux $makever, so its set is v$version or mainline-v$version, not $name" >&2
	exit 2
fi
sets=internal/kconfig/fragments
dest=${DEST:-$sets/$name}

# Every fragment the tree has, read from the tree rather than from a list
# of arches: a new arch file must not be dropped unnoticed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/set"
for f in "$src"/config "$src"/config.*; do
	case $f in
	*~ | *.orig | *.rej) continue ;; # a patch's leftovers, not a fragment
	esac
	if [ -f "$f" ]; then
		cp "$f" "$tmp/set/"
	fi
done
files=$(cd "$tmp/set" && echo config*)
squote=\'
cmd="SOURCE='${SOURCE//$squote/$squote\\$squote$squote}' scripts/update-fragments.sh $(printf %q "$tree")"
if [ $# -ge 2 ]; then
	cmd+=$(printf ' %q' "$2")
fi
cat >"$tmp/set/SOURCE" <<EOF
# Where this fragment set came from; written by scripts/update-fragments.sh.
source: $SOURCE
makefile: $makever
date: $(date -u +%F)
files: $files
command: $cmd
EOF

# The lines that say which tree it is; the date alone is no change.
ident() { grep -E '^(source|makefile|files):' "$1" 2>/dev/null || true; }
if [ -d "$dest" ]; then
	same=1
	diff -ru -x SOURCE "$dest" "$tmp/set" || same=0
	if [ "$(ident "$dest/SOURCE")" != "$(ident "$tmp/set/SOURCE")" ]; then
		old=$dest/SOURCE
		[ -f "$old" ] || old=/dev/null
		diff -u "$old" "$tmp/set/SOURCE" || true
		same=0
	fi
	if [ $same = 1 ]; then
		echo "update-fragments: $dest is already the set of $tree (Linux $makever)"
		exit 0
	fi
else
	echo "update-fragments: new set $dest: $files"
	wc -l "$tmp"/set/config* | sed 's|'"$tmp"'/set/||'
fi
rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp"/set/* "$dest/"
echo "update-fragments: $dest now holds $files of $tree (Linux $makever, $SOURCE)"

if [ -z "${DEST:-}" ]; then
	# A release set supersedes the mainline sets taken before it.
	if [ "$name" = "v$version" ]; then
		for m in "$sets"/mainline-v*; do
			[ -d "$m" ] || continue
			mv=${m##*/mainline-v}
			if [ "$(printf '%s\n%s\n' "$mv" "$version" | sort -V | tail -n1)" = "$version" ]; then
				echo "update-fragments: $name supersedes $m: removed"
				rm -rf "$m"
			fi
		done
	fi
	# Every built-in set must parse, for every architecture; the tests
	# that count the options of a set say when a count has changed.
	export PATH="$PATH:/usr/local/go/bin"
	go test ./internal/kconfig -run 'TestEmbedded|TestParseFragments|TestChooseEmbedded|TestLookupEmbedded'
fi
