#!/usr/bin/env bash
# A bounded fuzz pass: every Fuzz target of every package for FUZZTIME
# (default 3s) each. go test takes one -fuzz target per package per run, so
# this loops. A crasher fails the pass, and its input file
# (testdata/fuzz/<Target>/<hash>) is printed. New interesting inputs go to
# the Go build cache, not into the tree.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-3s} # whole seconds: "2s"
# Minimizing each new interesting input may take 60s by default, which
# would eat a short pass; crashers are written either way.
minimize=${FUZZMINIMIZETIME:-1s}
start=$(date +%s)
failed=0 n=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
		n=$((n + 1))
		before=$(find "$dir/testdata/fuzz/$target" -type f 2>/dev/null | sort)
		t0=$(date +%s)
		fuzz() { go test -run '^$' -fuzz "^$target\$" -fuzztime "$1" -fuzzminimizetime "$minimize" "$pkg" 2>&1; }
		out=$(fuzz "$fuzztime")
		rc=$?
		# go test stops with "context deadline exceeded" and no input when
		# FUZZTIME runs out before the seed corpus's baseline is gathered (a
		# busy machine): no crasher, so try once with four times as long.
		if [ $rc != 0 ] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
			echo "fuzz-all: note $pkg $target: out of time gathering its baseline; once more for 4x $fuzztime"
			out=$(fuzz "$(( ${fuzztime%s} * 4 ))s")
			rc=$?
		fi
		if [ $rc = 0 ]; then
			echo "fuzz-all: ok   $pkg $target ($(( $(date +%s) - t0 ))s)"
			continue
		fi
		failed=$((failed + 1))
		echo "fuzz-all: FAIL $pkg $target ($(( $(date +%s) - t0 ))s)"
		printf '%s\n' "$out" | grep -v '^fuzz: elapsed' | head -40 | sed 's/^/    /'
		after=$(find "$dir/testdata/fuzz/$target" -type f 2>/dev/null | sort)
		new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed '/^$/d')
		if [ -n "$new" ]; then
			printf 'fuzz-all: new crasher: %s\n' $new
		else
			echo "fuzz-all: no new crasher file (a failing seed or a build error)"
		fi
	done
done
echo "fuzz-all: $n targets, $failed failed, $(( $(date +%s) - start ))s"
[ "$failed" = 0 ]
