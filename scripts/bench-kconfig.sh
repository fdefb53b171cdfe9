#!/usr/bin/env bash
# Times `bpfdoctor kconfig diff` against plain shell diffs of a kernel
# config with the BPF selftests' fragments, on the same inputs in one run:
#
#   grep  one grep per wanted option, as moby's contrib/check-config.sh
#         does (zgrep "CONFIG_X=[y|m]" per flag);
#   awk   a single awk pass over the fragments and the config;
#   bpfdoctor kconfig diff --set SET --arch ARCH (text report, no tree);
#
# each on the config given (default /proc/config.gz) and on a 10,000-line
# config made from it. Then the in-process Go benchmarks of parse+diff.
#
#   scripts/bench-kconfig.sh [CONFIG]     RUNS=21 SET=6.12 ARCH=x86_64
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-21}
set=${SET:-6.12}
arch=${ARCH:-x86_64}
config=${1:-/proc/config.gz}
export PATH="$PATH:/usr/local/go/bin"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/bpfdoctor" ./cmd/bpfdoctor
dir=internal/kconfig/fragments/v${set#v}
[ -d "$dir" ] || dir=internal/kconfig/fragments/$set
cat "$dir/config" "$dir/config.$arch" >"$work/fragment"

# The inputs: the config as text, and a 10,000-line config with the
# same options (the rest filler), the size of a large distribution config.
zcat -f "$config" >"$work/config"
awk -v n=10000 '{ print } END { for (i = NR; i < n; i++) printf "CONFIG_BENCH_FILLER_%d=%s\n", i, (i % 3 ? "y" : "m") }' \
	"$work/config" >"$work/config-10k"

# check-config.sh's way: one grep per option.
grep_diff() {
	local cfg=$1 line opt val missing=0
	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -q "^$opt=[ym]" "$cfg"; then missing=$((missing + 1)); fi
			;;
		CONFIG_*=[ym])
			opt=${line%%=*}
			val=${line#*=}
			if [ "$val" = y ]; then
				grep -q "^$opt=y" "$cfg" || missing=$((missing + 1))
			else
				grep -q "^$opt=[ym]" "$cfg" || missing=$((missing + 1))
			fi
			;;
		CONFIG_*=*)
			grep -qxF "$line" "$cfg" || missing=$((missing + 1))
			;;
		esac
	done <"$work/fragment"
	echo "$missing"
}

# One awk pass: the wanted lines first, then the config.
awk_diff() {
	awk '
	FNR == NR {
		if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) { want[$2] = "n"; order[++n] = $2 }
		else if ($0 ~ /^CONFIG_/) { i = index($0, "="); k = substr($0, 1, i - 1); want[k] = substr($0, i + 1); order[++n] = k }
		next
	}
	/^CONFIG_/ { i = index($0, "="); have[substr($0, 1, i - 1)] = substr($0, i + 1) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { have[$2] = "n" }
	END {
		for (j = 1; j <= n; j++) {
			k = order[j]; if (seen[k]++) continue
			w = want[k]; h = (k in have) ? have[k] : "n"
			if (w == "n") { if (h != "n") missing++ }
			else if (w == "m") { if (h != "m" && h != "y") missing++ }
			else if (h != w) missing++
		}
		print missing + 0
	}' "$work/fragment" "$1"
}

# The floor under bpfdoctor's figures: starting the binary at all.
bpfdoctor_version() {
	"$work/bpfdoctor" version >/dev/null
	echo -
}

# Timed alone; the count is read from the report only when asked, so
# that no sed is timed with it.
bpfdoctor_diff() {
	"$work/bpfdoctor" kconfig diff --config "$1" --set "$set" --arch "$arch" --color=never >"$work/out" || true
	if [ -n "${count:-}" ]; then
		sed -n 's/.*selftests config: \([0-9]*\) of .*/\1/p' "$work/out"
	fi
}

# median_ms runs a function RUNS times and prints the median wall time.
median_ms() {
	local i t0 t1
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

echo "inputs: $config ($(wc -l <"$work/config") lines) and a 10,000-line config; fragments: $dir (config + config.$arch, $(grep -c '^CONFIG_\|^# CONFIG_' "$work/fragment") lines); $runs runs each"
printf '%-34s %12s %12s %10s\n' "" "median ms" "10k lines" "missing"
for impl in grep_diff awk_diff bpfdoctor_diff bpfdoctor_version; do
	printf '%-34s %12s %12s %10s\n' "$impl" "$(median_ms "$impl" "$work/config")" \
		"$(median_ms "$impl" "$work/config-10k")" "$(count=1 "$impl" "$work/config")"
done
echo "(grep_diff counts =m as set, as check-config.sh does; bpfdoctor counts =m where =y is wanted as missing;"
echo " bpfdoctor_version is the start-up of the binary alone, included in bpfdoctor_diff)"

echo
echo "in process (go test -bench): parse + diff of a 10,000-line config against config + config.x86_64"
go test -run '^$' -bench 'ParseDiff' -benchmem -count 5 ./internal/kconfig | grep -E '^Benchmark'
