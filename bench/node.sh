#!/bin/sh
# SPDX-License-Identifier: MIT
# node.sh: rt's nodes against their floor and a peer (DESIGN.md §10.5). Two
# workloads between two processes on this machine:
#
#   remote_rtt     N sequential request/replies of a small message (a
#                  string and a bytes field, 32 bytes as bytes), each
#                  checked; figure: ns_per_roundtrip (lower is better);
#   remote_oneway  N messages one way, then a request for the receiver's
#                  count, which must be N; figure: msgs_per_sec (higher
#                  is better), from the first send to the count's answer;
#
# measured three ways:
#
#   nats    bare libnats through one nats-server (bench/peers/nats/
#           natsbench.c), the floor rt's nodes add to. rtt modes: `wait`
#           (the reply handed from libnats's delivery thread to the asking
#           thread, the shape of an actor runtime), `callback` (the next
#           request sent from the subscription callback), `sync`
#           (natsSubscription_NextMsg), `request` (the blocking
#           natsConnection_Request). oneway modes: `asap` (each publish
#           flushed at once, as rtt needs) and `buffered`;
#   erlang  Erlang distribution between two nodes on loopback (bench/
#           peers/erlang/node-erl): `send` is a plain send and a selective
#           receive, `call` is gen_server:call;
#   rt      rt's node benchmark, when it has been built: $RTNODE, else
#           bench/rtnode under the current directory (a build directory).
#
#   bench/node.sh [K]
#
# Every measurement is run K times (default 5), one round of all of them
# after another so that a burst of other work on the machine spreads over
# all; the table shows the median, the smallest and the largest result,
# and each median against the floor: the nats `wait` row for round trips,
# the nats `asap` row for one-way (x > 1: slower than the floor).
#
# Sizes (each run takes a couple of seconds on a 2-core machine):
# NODE_RTT_N (10000) and NODE_ONEWAY_N (2000000) for nats and rt,
# NODE_ERL_RTT_N (80000) and NODE_ERL_ONEWAY_N (1000000) for Erlang.
# natsbench is built into $PEERS_OUT (default ${TMPDIR:-/tmp}/rtbench-peers),
# as are the Erlang peer's .beam files. A side whose tools are missing
# (nats-server and libnats; erl) is left out with the reason. Progress goes
# to stderr, the table to stdout.
#
# On a virtual machine, waking an idle virtual CPU costs tens of
# microseconds, and a round trip has several such wake-ups: the figures
# then depend on what else keeps the CPUs awake more than on the software.
# With everything on one core (taskset -c 0 bench/node.sh) they are far
# steadier, and show the cost of the software itself.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$top/tests/nats-start.sh"

runs=${1:-5}
case $runs in
'' | *[!0-9]* | 0)
	echo "usage: bench/node.sh [K]" >&2
	exit 2
	;;
esac
rtt_n=${NODE_RTT_N:-10000}
oneway_n=${NODE_ONEWAY_N:-2000000}
erl_rtt_n=${NODE_ERL_RTT_N:-80000}
erl_oneway_n=${NODE_ERL_ONEWAY_N:-1000000}
out=${PEERS_OUT:-${TMPDIR:-/tmp}/rtbench-peers}
mkdir -p "$out"
tmp=$(mktemp -d)
serve_pid=
serving=

# serve COMMAND: run COMMAND as the serving side (its output in
# $tmp/serve.log) unless it already is; - stops the one that runs. Only
# one side serves at a time, so that one's idle traffic (heartbeats) is
# not measured with another's, and two servers of the same subjects
# never answer one request twice.
serve() {
	[ "$1" != "$serving" ] || return 0
	if [ -n "$serve_pid" ]; then
		kill "$serve_pid" 2>/dev/null || :
		wait "$serve_pid" 2>/dev/null || :
		serve_pid=
	fi
	serving=$1
	[ "$1" = - ] && return 0
	sh -c "exec $1" < /dev/null >> "$tmp/serve.log" 2>&1 &
	serve_pid=$!
}
trap 'serve -; nats_cleanup; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

say() {
	echo "node.sh: $*" >&2
}

# --- what can run -----------------------------------------------------------

# Each row: side, workload, mode, the serving side's command (- for
# none) and the measuring command (both run with sh -c).
: > "$tmp/rows"
row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
	    >> "$tmp/rows"
}

natsbench=
if ! nats_available; then
	say "no nats-server (Debian: nats-server): nats and rt left out"
elif ! pkg-config --exists libnats 2> /dev/null; then
	say "no libnats (Debian: libnats-dev): nats left out"
else
	natsbench=$out/natsbench
	if [ ! -x "$natsbench" ] || [ -n "$(find \
	    "$here/peers/nats/natsbench.c" -newer "$natsbench")" ]; then
		# shellcheck disable=SC2046
		${CC:-cc} -std=c11 -O2 -Wall -o "$natsbench" \
		    "$here/peers/nats/natsbench.c" \
		    $(pkg-config --cflags --libs libnats) -lpthread
	fi
fi
rtnode=${RTNODE:-$PWD/bench/rtnode}
if [ ! -x "$rtnode" ]; then
	say "no rt node benchmark at $rtnode (build it, then run from the" \
	    "build directory or set RTNODE): rt left out"
	rtnode=
fi
if nats_available && { [ -n "$natsbench" ] || [ -n "$rtnode" ]; }; then
	nats_start "$tmp" || exit 1
	say "nats-server at $RT_NATS_URL"
else
	natsbench=
	rtnode=
fi

if [ -n "$natsbench" ]; then
	s="$natsbench serve $RT_NATS_URL"
	for m in wait callback sync request; do
		row nats remote_rtt $m "$s" \
		    "$natsbench rtt $RT_NATS_URL $rtt_n $m"
	done
	for m in asap buffered; do
		row nats remote_oneway $m "$s" \
		    "$natsbench oneway $RT_NATS_URL $oneway_n $m"
	done
fi

if command -v erl > /dev/null 2>&1 && command -v erlc > /dev/null 2>&1 &&
    command -v epmd > /dev/null 2>&1; then
	erl="env RTBENCH_ERL_EBIN=$out $here/peers/erlang/node-erl"
	erlc -o "$out" "$here/peers/erlang/remote_erl.erl"
	for m in send call; do
		row erlang remote_rtt $m - "$erl rtt $erl_rtt_n $m"
	done
	row erlang remote_oneway send - "$erl oneway $erl_oneway_n"
else
	say "no Erlang/OTP (Debian: erlang-nox): erlang left out"
fi

# --- the rt side ------------------------------------------------------------
# bench/rtnode has natsbench's roles and output: `rtnode serve URL` serves
# until SIGTERM; `rtnode rtt URL N [ask|call]` (an actor asks, or a plain
# thread calls) and `rtnode oneway URL N` wait for the serving side, run,
# check, print one line with side=rt and exit 0 only when the run checked
# out.
if [ -n "$rtnode" ]; then
	s="$rtnode serve $RT_NATS_URL"
	for m in ask call; do
		row rt remote_rtt $m "$s" "$rtnode rtt $RT_NATS_URL $rtt_n $m"
	done
	row rt remote_oneway - "$s" "$rtnode oneway $RT_NATS_URL $oneway_n"
fi
# ---------------------------------------------------------------------------

if [ ! -s "$tmp/rows" ]; then
	say "nothing to run"
	exit 77
fi

# --- run --------------------------------------------------------------------

figure_of() {
	case $1 in
	remote_rtt) echo ns_per_roundtrip ;;
	remote_oneway) echo msgs_per_sec ;;
	esac
}

tab=$(printf '\t')
load=$(cut -d' ' -f1-3 /proc/loadavg)
i=1
while [ $i -le "$runs" ]; do
	n=0
	while IFS=$tab read -r side w mode server cmd; do
		n=$((n + 1))
		serve "$server"
		rc=0
		line=$(timeout 300 sh -c "$cmd" < /dev/null 2> "$tmp/stderr") ||
		    rc=$?
		say "[$side $w $mode run $i] ${line:-rc=$rc $(head -c 300 "$tmp/stderr")}"
		f=$(figure_of "$w")
		v=$(echo "$line" | tr ' ' '\n' | sed -n "s/^$f=//p")
		if [ $rc -eq 0 ] && [ -n "$v" ]; then
			echo "$v" >> "$tmp/vals.$n"
		fi
	done < "$tmp/rows"
	i=$((i + 1))
done
serve -

# --- table ------------------------------------------------------------------

# stats FILE: median, smallest, largest and count of the values in FILE,
# or "fail".
stats() {
	if [ ! -s "$1" ]; then
		echo "fail - - 0"
		return
	fi
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR], NR }'
}

fmt() {
	case $1 in
	fail | -) echo "$1" ;;
	*) awk -v x="$1" 'BEGIN { printf "%.0f", x }' ;;
	esac
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "node benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) CPUs" \
    "($cpu), median of $runs runs, smallest and largest; load average" \
    "$load before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "| workload | side | mode | figure | median | min | max | runs | vs floor |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|"
rtt_floor=
oneway_floor=
n=0
while IFS=$tab read -r side w mode server cmd; do
	n=$((n + 1))
	# shellcheck disable=SC2046
	set -- $(stats "$tmp/vals.$n")
	med=$1
	if [ "$side $w $mode" = "nats remote_rtt wait" ] && [ "$med" != fail ]; then
		rtt_floor=$med
	fi
	if [ "$side $w $mode" = "nats remote_oneway asap" ] &&
	    [ "$med" != fail ]; then
		oneway_floor=$med
	fi
	vs=-
	if [ "$med" != fail ]; then
		case $w in
		remote_rtt) [ -z "$rtt_floor" ] ||
		    vs=$(awk -v a="$med" -v b="$rtt_floor" \
			'BEGIN { printf "%.2fx", a / b }') ;;
		remote_oneway) [ -z "$oneway_floor" ] ||
		    vs=$(awk -v a="$med" -v b="$oneway_floor" \
			'BEGIN { printf "%.2fx", b / a }') ;;
		esac
	fi
	case $w in
	remote_rtt) fig="ns_per_roundtrip ↓" ;;
	*) fig="msgs_per_sec ↑" ;;
	esac
	echo "| $w | $side | $mode | $fig | $(fmt "$1") | $(fmt "$2") |" \
	    "$(fmt "$3") | $4/$runs | $vs |"
done < "$tmp/rows"
echo
echo "↓: lower is better, ↑: higher is better. vs floor: the median" \
    "against bare libnats (rtt: nats wait; oneway: nats asap); above" \
    "1x is slower."
