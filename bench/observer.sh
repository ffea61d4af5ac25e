#!/bin/sh
# SPDX-License-Identifier: MIT
# What watching costs: rtbench workloads with an observer attached to
# their system (rtbench --observer) and a client that asks it, every
# second, for what the live page asks (/api/tree?max=200, /metrics and
# /api/crashes, on one kept-alive connection), against the same workloads
# without either. Runs alternate (and which goes first), and the table
# gives, per workload, the median of RUNS runs of each of its time in
# seconds, and how much slower it was watched (the target: 2% or less).
#
#   cd _build && ../bench/observer.sh [RUNS] [WORKLOAD...]
#
# RUNS: 3 or more (default 5). A WORKLOAD is rtbench's, with its sizes
# ("pingpong n=30000000"); the default set runs each for about 3 seconds
# on a 2-CPU machine (skynet, which makes a million actors, for less), so
# that several rounds of requests fall in each run. RTBENCH names the rtbench to run
# (default bench/rtbench, from the build directory), WORKERS its workers
# (default 2), PORT the observer's port (default 19373); VERBOSE=1 prints
# every run's time on stderr. Needs curl. Not part of make check.
set -eu
runs=${1:-5}
[ $# -gt 0 ] && shift
rtbench=${RTBENCH:-bench/rtbench}
workers=${WORKERS:-2}
port=${PORT:-19373}

case $runs in
'' | *[!0-9]*) echo "usage: $0 [RUNS] [WORKLOAD...]" >&2; exit 2 ;;
esac
if [ "$runs" -lt 3 ]; then
	echo "observer.sh: medians need 3 runs or more" >&2
	exit 2
fi
if [ $# -eq 0 ]; then
	set -- "pingpong n=30000000" "ring h=60000000" "counting n=80000000" \
	    "fanin m=1200000" "skynet" "ask n=10000000" "broker n=6000000"
fi
command -v curl > /dev/null 2>&1 ||
    { echo "observer.sh: curl is needed" >&2; exit 1; }
if [ ! -x "$rtbench" ]; then
	echo "observer.sh: no rtbench at $rtbench (run from the build" \
	    "directory, or set RTBENCH)" >&2
	exit 1
fi

tmp=$(mktemp -d)
client=
cleanup() {
	[ -n "$client" ] && kill "$client" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# What the page does: every second, the three answers it draws from.
base="http://127.0.0.1:$port"
watch() {
	while :; do
		curl -s -o /dev/null -o /dev/null -o /dev/null \
		    "$base/api/tree?max=200" "$base/metrics" "$base/api/crashes" \
		    > /dev/null 2>&1 || :
		sleep 1
	done
}

# run MODE WORKLOAD: one run; its seconds on stdout.
run() {
	if [ "$1" = on ]; then
		watch &
		client=$!
		# shellcheck disable=SC2086 # $2: the workload and its sizes
		out=$("$rtbench" --workers "$workers" \
		    --observer "127.0.0.1:$port" $2)
		kill "$client"
		wait "$client" 2>/dev/null || :
		client=
	else
		# shellcheck disable=SC2086
		out=$("$rtbench" --workers "$workers" $2)
	fi
	echo "$out" | sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] :
	    (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-10s %10s %10s %8s\n' workload without watched lost
for w in "$@"; do
	name=${w%% *}
	: > "$tmp/off"
	: > "$tmp/on"
	i=0
	while [ $i -lt "$runs" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			run off "$w" >> "$tmp/off"
			run on "$w" >> "$tmp/on"
		else
			run on "$w" >> "$tmp/on"
			run off "$w" >> "$tmp/off"
		fi
		i=$((i + 1))
	done
	off=$(median < "$tmp/off")
	on=$(median < "$tmp/on")
	if [ -n "${VERBOSE:-}" ]; then
		echo "$name without: $(tr '\n' ' ' < "$tmp/off")" >&2
		echo "$name watched: $(tr '\n' ' ' < "$tmp/on")" >&2
	fi
	printf '%-10s %10s %10s %7.1f%%\n' "$name" "$off" "$on" \
	    "$(echo "$on $off" | awk '{ print ($1 / $2 - 1) * 100 }')"
done
