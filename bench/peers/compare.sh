#!/bin/bash
# compare.sh: run rtbench and its peers (Erlang, Go, CAF) on the same
# machine, R times per workload, with --workers 1 and with all cores,
# interleaved; print a markdown table of medians and the ratio of rt to
# the best peer (> 1: rt is better, whichever way the figure points), then
# rt with all cores against rt with one.
#
#   bench/peers/compare.sh [--runs R] [--quick] [--peers "erlang go caf"]
#       [--workers "1 N"] [--timeout SECONDS] [WORKLOAD...]
#
# rt's binary: $RTBENCH, else bench/rtbench under the current directory (a
# build directory). The peers are built into $PEERS_OUT (default
# ${TMPDIR:-/tmp}/rtbench-peers). --quick: sizes 10x smaller, a smoke test.
# A run that fails or times out is left out of the median; a cell with no
# good run shows "fail". A system that does not know a workload (it exits
# with status 2, a usage error, and prints nothing) is not run again for it,
# and its cell shows "—". Progress goes to stderr, the table to stdout.
set -u
here=$(cd "$(dirname "$0")" && pwd)
runs=5
quick=0
peers="erlang go caf"
ncpu=$(nproc)
workers_list="1 $ncpu"
timeout_s=300
workloads=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	--peers) peers=$2; shift 2 ;;
	--workers) workers_list=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
	*) workloads+=("$1"); shift ;;
	esac
done
[ ${#workloads[@]} -eq 0 ] && workloads=(pingpong ring counting fanin skynet spawn idle_memory ask call
    restart broker dispatch pool)

rtbench=${RTBENCH:-$PWD/bench/rtbench}
if [ ! -x "$rtbench" ]; then
	echo "compare.sh: no rtbench at $rtbench (build it: make bench/rtbench," \
	    "then run from the build directory or set RTBENCH)" >&2
	exit 2
fi
out=${PEERS_OUT:-${TMPDIR:-/tmp}/rtbench-peers}
mkdir -p "$out"

# --- build the peers -------------------------------------------------------
declare -A cmd
cmd[rt]=$rtbench
for p in $peers; do
	case $p in
	erlang)
		erlc -o "$out" "$here/erlang/rtbench_erl.erl" || exit 1
		cmd[erlang]="env RTBENCH_ERL_EBIN=$out $here/erlang/rtbench-erl" ;;
	go)
		(cd "$here/go" && GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off \
		    GOCACHE=${GOCACHE:-$out/gocache} go build -o "$out/rtbench-go" .) || exit 1
		cmd[go]=$out/rtbench-go ;;
	caf)
		${CXX:-g++} -std=c++17 -O2 -o "$out/caf_bench" \
		    "$here/caf/caf_bench.cpp" -lcaf_core -lpthread || exit 1
		cmd[caf]=$out/caf_bench ;;
	*) echo "compare.sh: unknown peer $p" >&2; exit 2 ;;
	esac
done
systems="rt $peers"

# --- workloads: sizes, figures and which way they point --------------------
args_of() { # workload -> key=value arguments
	[ $quick -eq 0 ] && return
	case $1 in
	pingpong) echo n=100000 ;;
	ring) echo r=1000 h=1000000 ;;
	counting) echo n=1000000 ;;
	fanin) echo s=64 m=10000 ;;
	skynet) echo n=100000 ;;
	spawn) echo n=100000 ;;
	idle_memory) echo n=100000 ;;
	ask) echo n=100000 ;;
	call) echo n=20000 ;;
	restart) echo n=10000 ;;
	broker) echo n=100000 k=8 ;;
	dispatch) echo n=1000000 ;;
	pool) echo p=4 m=100000 ;;
	esac
}
figures_of() { # workload -> figure:direction (lo: lower is better)
	case $1 in
	pingpong|dispatch) echo ns_per_msg:lo ;;
	ring) echo ns_per_hop:lo ;;
	counting|fanin) echo msgs_per_sec:hi ;;
	skynet) echo ms:lo ns_per_actor:lo ;;
	spawn) echo ns_per_actor:lo ;;
	idle_memory) echo bytes_per_actor:lo ;;
	ask|call) echo ns_per_roundtrip:lo ;;
	restart) echo us_per_restart:lo ;;
	broker) echo ns_per_delivery:lo ;;
	pool) echo round_robin_ns_per_msg:lo plain_ns_per_msg:lo ;;
	*) echo "compare.sh: unknown workload $1" >&2; exit 2 ;;
	esac
}
for w in "${workloads[@]}"; do figures_of "$w" >/dev/null || exit 2; done

median() { # values on stdin, one a line -> median, or "fail"
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "fail"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
field() { # line key -> value
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}
fmt() { # number -> short form
	case $1 in fail|—) echo "$1" ;; *) awk -v x="$1" 'BEGIN {
		if (x >= 1e6) printf "%.2fM", x / 1e6; else if (x >= 100) printf "%.0f", x;
		else if (x >= 1) printf "%.1f", x; else printf "%.2f", x }' ;; esac
}

# --- run -------------------------------------------------------------------
# Interleaved: each round runs every system at every worker count once, so
# that a slow spell of the machine (a virtual one has them, seconds to
# minutes long) falls on all of them alike. A system's worker counts run
# one right after the other, in turn first and last (1 2, then 2 1): rt
# against itself compares runs taken side by side, within a spell of the
# machine, not a peer's run apart.
declare -A med unknown
for w in "${workloads[@]}"; do
	declare -A vals=()
	for ((i = 1; i <= runs; i++)); do
		order=$workers_list
		[ $((i % 2)) -eq 0 ] && order=$(tr ' ' '\n' <<<"$workers_list" | tac | tr '\n' ' ')
		for s in $systems; do
			for nw in $order; do
				[ -z "${unknown[$s,$w]:-}" ] || continue
				line=$(timeout "$timeout_s" ${cmd[$s]} --workers "$nw" "$w" $(args_of "$w") 2>"$out/stderr")
				rc=$?
				if [ $rc -eq 2 ] && [ -z "$line" ]; then
					# A usage error: this system has no such workload
					# (yet); no point in asking again.
					echo "[$s w=$nw] does not run $w (usage error), shown as —" >&2
					unknown[$s,$w]=1
					continue
				fi
				echo "[$s w=$nw run $i] ${line:-rc=$rc $(head -c 200 "$out/stderr")}" >&2
				[ $rc -eq 0 ] || continue
				for f in $(figures_of "$w"); do
					vals[$nw,$s,${f%%:*}]+="$(field "$line" "${f%%:*}") "
				done
			done
		done
	done
	for nw in $workers_list; do
		for s in $systems; do
			for f in $(figures_of "$w"); do
				k=${f%%:*}
				if [ -n "${unknown[$s,$w]:-}" ]; then
					med[$nw,$w,$k,$s]=—
					continue
				fi
				med[$nw,$w,$k,$s]=$(tr ' ' '\n' <<<"${vals[$nw,$s,$k]:-}" | grep . | median)
			done
		done
	done
	unset vals
done

# --- table -----------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "rtbench comparison, $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname): $ncpu CPUs ($cpu)," \
    "median of $runs runs$([ $quick -eq 1 ] && echo ', --quick sizes (10x smaller)')"
echo
hdr="| workload | workers | figure | rt |"
sep="|---|---|---|---:|"
for p in $peers; do hdr+=" $p |"; sep+="---:|"; done
echo "$hdr rt vs best peer |"
echo "$sep---:|"
for nw in $workers_list; do
	for w in "${workloads[@]}"; do
		for f in $(figures_of "$w"); do
			k=${f%%:*} dir=${f##*:}
			# dispatch always runs on one worker, whatever is asked
			shown=$nw; [ "$w" = dispatch ] && shown="1 (forced)"
			row="| $w | $shown | $k$([ "$dir" = lo ] && echo ' ↓' || echo ' ↑') | $(fmt "${med[$nw,$w,$k,rt]}") |"
			best=
			for p in $peers; do
				v=${med[$nw,$w,$k,$p]}
				row+=" $(fmt "$v") |"
				case $v in fail|—) continue ;; esac
				if [ -z "$best" ] || awk -v a="$v" -v b="$best" -v d="$dir" \
				    'BEGIN { exit !((d == "lo" && a < b) || (d == "hi" && a > b)) }'; then
					best=$v
				fi
			done
			rt=${med[$nw,$w,$k,rt]}
			if [ "$rt" = — ]; then
				ratio=—
			elif [ -n "$best" ] && [ "$rt" != fail ]; then
				ratio=$(awk -v r="$rt" -v b="$best" -v d="$dir" \
				    'BEGIN { printf "%.2f", d == "lo" ? b / r : r / b }')
			else
				ratio=n/a
			fi
			echo "$row $ratio |"
		done
	done
done
echo
echo "↓: lower is better, ↑: higher is better. Ratio > 1: rt ahead of the best peer." \
    "—: that system does not run the workload."

# rt against itself: every worker count after the first, against the first
# (runs taken side by side, see above).
set -- $workers_list
first=$1
shift
[ $# -eq 0 ] && exit 0
echo
echo "rt with more workers against rt with $first (> 1: faster with more):"
echo
echo "| workload | figure | $first |$(printf ' %s |' "$@")"
echo "|---|---|---:|$(printf -- '---:|%.0s' "$@")"
for w in "${workloads[@]}"; do
	[ "$w" = dispatch ] && continue # always one worker
	for f in $(figures_of "$w"); do
		k=${f%%:*} dir=${f##*:}
		base=${med[$first,$w,$k,rt]}
		row="| $w | $k | $(fmt "$base") |"
		for nw in "$@"; do
			v=${med[$nw,$w,$k,rt]}
			case $v$base in *fail* | *—*) row+=" $(fmt "$v") |"; continue ;; esac
			row+=" $(fmt "$v") ($(awk -v a="$base" -v b="$v" -v d="$dir" \
			    'BEGIN { printf "%.2f", d == "lo" ? a / b : b / a }')) |"
		done
		echo "$row"
	done
done
