#!/usr/bin/env bash
# A bounded fuzz pass: every Fuzz target of every package for FUZZTIME
# (default 3s) each. go test takes one -fuzz target per package per run, so
# this loops. A crasher fails the pass, and its input file
# (testdata/fuzz/<Target>/<hash>) is printed. New interesting inputs go to
# the Go build cache, not into the tree.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-3s}
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
		if out=$(go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$pkg" 2>&1); then
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
