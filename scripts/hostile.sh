#!/usr/bin/env bash
# Replays the hostile inputs of the "Hostile input and faults" issue against
# a freshly built bpfdoctor and prints, for each case, the exit code, the
# wall time and the peak memory. It reports, it does not judge: only a case
# that outlives its deadline (a hang) makes it exit non-zero.
#
#   scripts/hostile.sh            all cases
#   TIMEOUT=20 scripts/hostile.sh the deadline of each case, in seconds
set -uo pipefail
cd "$(dirname "$0")/.."

limit=${TIMEOUT:-20}
command -v /usr/bin/time >/dev/null || { echo "hostile.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/bpfdoctor
go build -o "$bin" ./cmd/bpfdoctor || exit 2

# --- inputs ---------------------------------------------------------------
mkfifo "$tmp/fifo"
printf 'CONFIG_BPF=y\nCONFIG_BPF_SYSCALL=y\n' >"$tmp/small.config"
: >"$tmp/empty.config"
printf '# caf\xe9 au lait\nCONFIG_BPF=y\n' >"$tmp/latin1.config"
makefile='VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n'
# tree NAME KCONFIG-TEXT: a kernel tree with a Makefile and a top Kconfig.
tree() {
	mkdir -p "$tmp/$1"
	printf "$makefile" >"$tmp/$1/Makefile"
	printf '%s' "$2" >"$tmp/$1/Kconfig"
	mkdir -p "$tmp/$1/tools/testing/selftests/bpf"
	printf 'CONFIG_BPF=y\n' >"$tmp/$1/tools/testing/selftests/bpf/config"
}
tree zero ""
ln -sf /dev/zero "$tmp/zero/Kconfig"
tree fifomk "config BPF\n\tbool\n"
rm "$tmp/fifomk/Makefile"
mkfifo "$tmp/fifomk/Makefile"
tree doubling "$(printf 'X := x\n'; for _ in $(seq 41); do printf 'X += $(X)\n'; done; printf 'config BPF\n\tbool "$(X)"\n')"
tree backslash "$(printf 'config BPF\n\tbool "b"\n\tdepends on A \\\n'; yes '	|| A \' | head -n 80000; printf '\n')"
ors() { printf 'config BPF\n\tbool "b"\n\tdepends on A0'; seq 1 "$1" | sed 's/^/ || A/' | tr -d '\n'; printf '\n'; }
tree or16k "$(ors 16000)"
tree or50k "$(ors 50000)"
# An ELF with 40k code sections, from the real clang: each function in a
# section of its own.
clang=$(command -v clang)
if [ -n "$clang" ]; then
	for i in $(seq 1 40000); do
		printf '__attribute__((section("xdp/%d"))) int f%d(void *ctx) { return %d; }\n' "$i" "$i" "$i"
	done >"$tmp/sections.c"
	t0=$(date +%s)
	"$clang" --target=bpf -O2 -c "$tmp/sections.c" -o "$tmp/sections.o" 2>"$tmp/clang.err" ||
		echo "hostile.sh: clang failed: $(head -3 "$tmp/clang.err")" >&2
	echo "hostile.sh: built the 40k-section object in $(( $(date +%s) - t0 ))s" >&2
fi
printf 'target\n' >"$tmp/target"
ln -s "$tmp/target" "$tmp/link"

# --- cases ----------------------------------------------------------------
hangs=0
printf '%-44s %5s %8s %9s  %s\n' CASE EXIT WALL_S PEAK_KIB 'FIRST LINE OF OUTPUT'
row() { # name exit wall peak
	local peak=$4 first
	first=$(head -n 1 "$tmp/out" | tr -cd '[:print:]' | cut -c1-70)
	case $2 in
	124 | 137)
		# timeout was killed with its group, so nobody reaped bpfdoctor
		# and its peak is not known.
		hangs=$((hangs + 1)) peak="?" first="HANG: killed after ${limit}s"
		;;
	esac
	printf '%-44s %5s %8s %9s  %s\n' "$1" "$2" "$3" "$peak" "$first"
}
# run NAME ARGS...: bpfdoctor ARGS with the deadline, stdin from /dev/null.
run() {
	local name=$1
	shift
	/usr/bin/time -q -f '%e %M' -o "$tmp/time" timeout -k 3 "$limit" "$bin" "$@" </dev/null >"$tmp/out" 2>&1
	local rc=$?
	read -r wall peak < <(tail -n 1 "$tmp/time")
	row "$name" "$rc" "$wall" "$peak"
}
# interrupt NAME ARGS...: start bpfdoctor ARGS, send SIGINT after half a second,
# and see whether and how fast it stops.
interrupt() {
	local name=$1
	shift
	/usr/bin/time -q -f '%e %M' -o "$tmp/time" timeout -k 3 "$limit" "$bin" "$@" </dev/null >"$tmp/out" 2>&1 &
	local tpid=$!
	sleep "${SIGINT_AFTER:-0.5}"
	local child="" t
	t=$(pgrep -P "$tpid") && child=$(pgrep -P "$t")
	[ -n "$child" ] && kill -INT "$child"
	wait "$tpid"
	local rc=$?
	read -r wall peak < <(tail -n 1 "$tmp/time")
	[ -z "$child" ] && name="$name (done before the signal)"
	row "$name" "$rc" "$wall" "$peak"
}

run "check --config FIFO" check --config "$tmp/fifo"
run "kconfig diff --fragment FIFO" kconfig diff --config "$tmp/small.config" --fragment "$tmp/fifo"
run "lint --btf FIFO" lint --btf "$tmp/fifo" "$tmp/sections.o"
run "lint FIFO" lint "$tmp/fifo"
run "kconfig diff --kernel-src (Makefile FIFO)" kconfig diff --config "$tmp/small.config" --kernel-src "$tmp/fifomk"
run "bootstrap pahole --url FIFO" bootstrap pahole --url "$tmp/fifo" --version 1.31 --insecure --no-build --cache "$tmp/cache"
run "bootstrap pahole --url /dev/zero" bootstrap pahole --url /dev/zero --version 1.31 --insecure --no-build --cache "$tmp/cache"
run "kconfig diff: Kconfig -> /dev/zero" kconfig diff --config "$tmp/small.config" --kernel-src "$tmp/zero"
run "kconfig diff: 42-line X += \$(X)" kconfig diff --config "$tmp/small.config" --kernel-src "$tmp/doubling"
run "kconfig diff: 80k continued lines" kconfig diff --config "$tmp/small.config" --kernel-src "$tmp/backslash"
run "kconfig diff: depends on 16k ||" kconfig diff --config "$tmp/small.config" --kernel-src "$tmp/or16k"
run "kconfig diff: depends on 50k ||" kconfig diff --config "$tmp/small.config" --kernel-src "$tmp/or50k"
run "lint: 40k code sections" lint "$tmp/sections.o"
# Through a link to /dev/null, never /dev/null itself: a bpfdoctor that
# replaces what -o names (the bug this case looks for) then replaces only
# the link, not the machine's /dev/null.
ln -s /dev/null "$tmp/devnull"
run "kconfig fix -o device (link to /dev/null)" kconfig fix --set 6.12 --config "$tmp/small.config" -o "$tmp/devnull"
run "kconfig fix -o SYMLINK" kconfig fix --set 6.12 --config "$tmp/small.config" -o "$tmp/link"
run "kconfig diff: empty config" kconfig diff --set 6.12 --config "$tmp/empty.config"
run "kconfig diff: Latin-1 in a comment" kconfig diff --set 6.12 --config "$tmp/latin1.config"
run "report --timeout 0" report --timeout 0
run "completion tcsh" completion tcsh
interrupt "SIGINT to lint (40k sections)" lint "$tmp/sections.o"
ksrc=${BPFDOCTOR_KERNEL_SRC:-/tmp/linux-6.12}
[ -f "$ksrc/Kconfig" ] || ksrc=$tmp/or50k
interrupt "SIGINT to kconfig diff ($(basename "$ksrc"))" kconfig diff --config "$tmp/small.config" --kernel-src "$ksrc"
[ "$(cat "$tmp/target")" = target ] || echo "hostile.sh: note: -o SYMLINK changed the file it points to" >&2

echo "hostile.sh: $hangs case(s) hung"
[ "$hangs" = 0 ]
