# Sourced by the bench-*.sh scripts; RUNS must be set as $runs.

# median_ms CMD...: median wall time in ms of RUNS runs.
median_ms() {
	local t=()
	for _ in $(seq "$runs"); do
		local s e
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		t+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
